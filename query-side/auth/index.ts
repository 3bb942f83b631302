export { authenticate, tokenExpiresAt } from './authenticate.ts';
export { mayAccessCustomer, requireAuthenticated, requireCustomerAccess, requireRole } from './access.ts';
export { ANONYMOUS_SUBJECT, ROLES, anonymous, hasRole, isAnonymous, isRole, type Principal, type Role } from './principal.ts';
