import { forbidden, unauthenticated } from '../errors.ts';
import { hasRole, isAnonymous, type Principal, type Role } from './principal.ts';

/** @throws GraphQLError UNAUTHENTICATED for the anonymous principal. */
export function requireAuthenticated(principal: Principal): void {
  if (isAnonymous(principal)) throw unauthenticated();
}

/**
 * Passes when the principal holds `role`.
 * @throws GraphQLError UNAUTHENTICATED when anonymous, FORBIDDEN when the role is missing.
 */
export function requireRole(principal: Principal, role: Role): void {
  requireAuthenticated(principal);
  if (!hasRole(principal, role)) throw forbidden(`requires the ${role} role`);
}

/**
 * Passes for operators and staff (any customer) and for a customer acting on their own data.
 * @throws GraphQLError UNAUTHENTICATED when anonymous, FORBIDDEN otherwise.
 */
export function requireCustomerAccess(principal: Principal, customerId: string): void {
  requireAuthenticated(principal);
  if (!mayAccessCustomer(principal, customerId)) throw forbidden('not allowed to access this customer');
}

/** True for operators and staff, and for a customer asking about their own data. */
export function mayAccessCustomer(principal: Principal, customerId: string): boolean {
  if (hasRole(principal, 'operator') || hasRole(principal, 'staff')) return true;
  return hasRole(principal, 'customer') && principal.customerId !== undefined && principal.customerId === customerId;
}

/**
 * Passes for warehouse/back-office staff and for operators (who may do whatever staff may).
 * @throws GraphQLError UNAUTHENTICATED when anonymous, FORBIDDEN otherwise.
 */
export function requireStaff(principal: Principal): void {
  if (!hasRole(principal, 'operator')) requireRole(principal, 'staff');
}
