import { isIP } from 'node:net';

/** Every JWT algorithm the server can be configured to accept (never `none`). */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
/** One algorithm of {@link JWT_ALGORITHMS}. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** True for an HMAC algorithm (needs the shared secret, never a JWKS key). */
export function isSymmetric(alg: JwtAlgorithm): boolean {
  return alg.startsWith('HS');
}

/**
 * True when `host` only accepts connections from this machine: `localhost`, `127.0.0.0/8`, `::1`
 * (or an IPv4-mapped loopback). `0.0.0.0`, `::` and any other name or address are not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * How requests authenticate when `ORDERFLOW_AUTH_MODE` is not set:
 * - production: `jwt`;
 * - otherwise, bound to loopback: `dev` (the quick start, only this machine can reach it);
 * - otherwise (reachable from the network, no explicit choice): `jwt` when a key is configured,
 *   else `none`, which refuses every bearer token. Dev tokens are never accepted from the network
 *   by default: only an explicit `ORDERFLOW_AUTH_MODE=dev` outside production allows that.
 */
export function defaultAuthMode(input: { env: 'development' | 'test' | 'production'; host: string; hasKey: boolean }): 'dev' | 'jwt' | 'none' {
  if (input.env === 'production') return 'jwt';
  if (isLoopbackHost(input.host)) return 'dev';
  return input.hasKey ? 'jwt' : 'none';
}

/** The development default database password; production refuses a URL that still uses it. */
export const DEFAULT_DB_PASSWORD = 'orderflow';

/** The password in a postgres:// or mongodb:// URL ('' when none). */
export function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
