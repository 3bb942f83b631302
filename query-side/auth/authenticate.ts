import type { GraphQLError } from 'graphql';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../../platform/index.ts';
import { unauthenticated } from '../errors.ts';
import { ANONYMOUS_SUBJECT, anonymous, isRole, type Principal, type Role } from './principal.ts';

const SUBJECT = /^[A-Za-z0-9._@:|-]{1,200}$/;
const DEV_SUBJECT = /^[A-Za-z0-9._@-]{1,128}$/;

/** UNAUTHENTICATED with http 401 and a `WWW-Authenticate: Bearer` challenge. */
function denied(message: string): GraphQLError {
  return unauthenticated(message, { httpStatus: 401, httpHeaders: { 'www-authenticate': 'Bearer' } });
}

/** One remote key set per JWKS URL for the process (jose caches keys and rate-limits refetches). */
const keySets = new Map<string, JWTVerifyGetKey>();

function remoteKeySet(url: string): JWTVerifyGetKey {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    keySets.set(url, set);
  }
  return set;
}

function bearerToken(header: string): string {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!m?.[1]) throw denied('expected an "Authorization: Bearer <token>" header');
  return m[1];
}

/** `dev:<subject>:<role1,role2>`; a customer's customerId is its subject. */
function devPrincipal(token: string): Principal {
  const m = /^dev:([^:]+):([a-z,]*)$/.exec(token);
  const subject = m?.[1];
  const roleNames = (m?.[2] ?? '').split(',').filter((r) => r.length > 0);
  if (!m || !subject || !DEV_SUBJECT.test(subject) || subject === ANONYMOUS_SUBJECT || !roleNames.every(isRole)) {
    throw denied('invalid dev token: expected "dev:<subject>:<customer|operator|staff,…>"');
  }
  const roles = [...new Set(roleNames)] as Role[];
  return roles.includes('customer') ? { subject, roles, customerId: subject } : { subject, roles };
}

function principalFromClaims(payload: JWTPayload): Principal {
  const { sub } = payload;
  if (typeof sub !== 'string' || !SUBJECT.test(sub) || sub === ANONYMOUS_SUBJECT) throw denied('token has no valid "sub" claim');
  const claimed = payload['roles'];
  if (claimed !== undefined && !Array.isArray(claimed)) throw denied('token "roles" claim must be an array');
  // Unknown role names are ignored rather than rejected, so an issuer can add roles for other apps.
  const roles = [...new Set((claimed ?? []).filter(isRole))];
  const customerIdClaim = payload['customerId'];
  if (customerIdClaim !== undefined && (typeof customerIdClaim !== 'string' || customerIdClaim.length === 0)) {
    throw denied('token "customerId" claim must be a non-empty string');
  }
  const customerId = customerIdClaim ?? (roles.includes('customer') ? sub : undefined);
  return customerId === undefined ? { subject: sub, roles } : { subject: sub, roles, customerId };
}

async function jwtPrincipal(token: string, auth: AppConfig['auth']): Promise<Principal> {
  const options = {
    ...(auth.issuer !== undefined && { issuer: auth.issuer }),
    ...(auth.audience !== undefined && { audience: auth.audience }),
    ...(auth.maxTokenAgeSeconds !== undefined && { maxTokenAge: auth.maxTokenAgeSeconds }),
    // The allow-list is the configuration's, never the token header's (no `none`, no HS/RS confusion).
    algorithms: auth.algorithms,
    requiredClaims: auth.requireExp ? ['exp'] : [],
    clockTolerance: 5,
  };
  try {
    const { payload } = auth.jwksUrl
      ? await jwtVerify(token, remoteKeySet(auth.jwksUrl), options)
      : await jwtVerify(token, new TextEncoder().encode(auth.jwtSecret ?? ''), options);
    return principalFromClaims(payload);
  } catch (err) {
    // A key set we cannot fetch is our failure, not the client's: let it surface as internal.
    if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) throw err;
    const message = err instanceof errors.JWTExpired ? 'token expired' : err instanceof errors.JWTClaimValidationFailed ? `token claim "${err.claim}" is invalid` : 'invalid token';
    throw denied(message);
  }
}

/**
 * The principal behind an `Authorization` header value. No header gives the anonymous principal
 * (resolvers decide what it may do). `jwt` mode verifies a Bearer JWT (the configured algorithms
 * only, with the secret or the JWKS URL's keys; issuer, audience, `exp` and token age when
 * configured; claims `sub`, `roles`, `customerId`). `dev` mode accepts
 * `Bearer dev:<subject>:<role1,role2>`; `none` refuses every token.
 * @throws GraphQLError UNAUTHENTICATED (http 401) for a malformed, unverifiable or expired token.
 */
export async function authenticate(header: string | null | undefined, config: Pick<AppConfig, 'auth'>): Promise<Principal> {
  if (header === undefined || header === null || header.trim() === '') return anonymous();
  const token = bearerToken(header);
  switch (config.auth.mode) {
    case 'dev':
      return devPrincipal(token);
    case 'jwt':
      return jwtPrincipal(token, config.auth);
    case 'none':
      throw denied('bearer tokens are not accepted: this server is reachable from the network and has no JWT key configured');
    default: {
      const never: never = config.auth.mode;
      throw new Error(`unknown auth mode ${String(never)}`);
    }
  }
}

/**
 * When the bearer token of an already authenticated header expires (ms since the epoch), or
 * undefined for no header, a dev token or a JWT without `exp`. Call only after {@link authenticate}
 * accepted the header: this reads the claim without verifying it again.
 */
export function tokenExpiresAt(header: string | undefined): number | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header?.trim() ?? '');
  if (!m?.[1] || m[1].startsWith('dev:')) return undefined;
  try {
    const { exp } = decodeJwt(m[1]);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
