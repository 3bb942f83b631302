/** What a principal may be: a shopper, a back-office operator, or staff (support). */
export type Role = 'customer' | 'operator' | 'staff';

/** Every role, in a fixed order. */
export const ROLES: readonly Role[] = ['customer', 'operator', 'staff'];

/**
 * Who is asking. Every request has one; an anonymous principal has subject
 * {@link ANONYMOUS_SUBJECT} and no roles. `customerId` is set for customers.
 */
export interface Principal {
  subject: string;
  roles: Role[];
  customerId?: string;
}

/** The subject of the anonymous principal (never accepted from a token). */
export const ANONYMOUS_SUBJECT = 'anonymous';

/** A fresh anonymous principal. */
export function anonymous(): Principal {
  return { subject: ANONYMOUS_SUBJECT, roles: [] };
}

/** True for the principal of a request that carried no credentials. */
export function isAnonymous(principal: Principal): boolean {
  return principal.subject === ANONYMOUS_SUBJECT;
}

/** True when the principal holds `role`. */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}

/** True for a known role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
