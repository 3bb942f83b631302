import { GraphQLError } from 'graphql';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../platform/config.ts';
import { anonymous, authenticate, requireCustomerAccess, requireRole, type Principal } from './index.ts';

const SECRET = 'a-test-secret-that-is-32-bytes-long!';
const dev: Pick<AppConfig, 'auth'> = { auth: { mode: 'dev', algorithms: ['HS256'], requireExp: false } };
const jwt: Pick<AppConfig, 'auth'> = { auth: { mode: 'jwt', jwtSecret: SECRET, issuer: 'https://issuer.test/', audience: 'orderflow', algorithms: ['HS256'], requireExp: false } };
/** What production configures: exp required, a maximum token age. */
const strict: Pick<AppConfig, 'auth'> = { auth: { ...jwt.auth, requireExp: true, maxTokenAgeSeconds: 600 } };

async function token(claims: Record<string, unknown>, opts: { secret?: string; issuer?: string; audience?: string; exp?: number | string | null; iat?: number; alg?: string } = {}): Promise<string> {
  const t = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setIssuedAt(opts.iat)
    .setIssuer(opts.issuer ?? 'https://issuer.test/')
    .setAudience(opts.audience ?? 'orderflow');
  if (opts.exp !== null) t.setExpirationTime(opts.exp ?? '5m');
  return t.sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof GraphQLError) return err.extensions['code'];
    throw err;
  }
  return 'no error';
}

describe('authenticate, dev mode', () => {
  it('gives the anonymous principal when there is no header', async () => {
    expect(await authenticate(undefined, dev)).toEqual(anonymous());
    expect(await authenticate('', dev)).toEqual(anonymous());
  });

  it('reads subject and roles; a customer is its own customerId', async () => {
    expect(await authenticate('Bearer dev:alice:customer', dev)).toEqual({ subject: 'alice', roles: ['customer'], customerId: 'alice' });
    expect(await authenticate('bearer dev:op-1:operator,staff', dev)).toEqual({ subject: 'op-1', roles: ['operator', 'staff'] });
  });

  it.each(['Basic abc', 'Bearer', 'Bearer dev:alice', 'Bearer dev:alice:admin', 'Bearer dev::customer', 'Bearer dev:anonymous:customer', 'Bearer eyJhbGciOi.x.y'])(
    'rejects %j as UNAUTHENTICATED',
    async (header) => {
      expect(await codeOf(authenticate(header, dev))).toBe('UNAUTHENTICATED');
    },
  );

  it('marks the error http 401 so the HTTP layer answers 401', async () => {
    const err = await authenticate('Bearer nope', dev).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).extensions['http']).toMatchObject({ status: 401 });
  });
});

describe('authenticate, jwt mode (HS256)', () => {
  it('verifies a token and maps sub, roles and customerId', async () => {
    const p = await authenticate(`Bearer ${await token({ sub: 'u1', roles: ['customer', 'unknown-role'], customerId: 'c-42' })}`, jwt);
    expect(p).toEqual({ subject: 'u1', roles: ['customer'], customerId: 'c-42' });
  });

  it('defaults a customer with no customerId claim to its subject', async () => {
    expect(await authenticate(`Bearer ${await token({ sub: 'u2', roles: ['customer'] })}`, jwt)).toEqual({ subject: 'u2', roles: ['customer'], customerId: 'u2' });
  });

  it('still gives the anonymous principal with no header', async () => {
    expect(await authenticate(undefined, jwt)).toEqual(anonymous());
  });

  it('rejects dev tokens in jwt mode', async () => {
    expect(await codeOf(authenticate('Bearer dev:alice:customer', jwt))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['wrong secret', { secret: 'another-secret-that-is-32-bytes-long' }],
    ['wrong issuer', { issuer: 'https://evil.test/' }],
    ['wrong audience', { audience: 'someone-else' }],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600 }],
  ])('rejects a token with %s', async (_name, opts) => {
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1', roles: ['customer'] }, opts)}`, jwt))).toBe('UNAUTHENTICATED');
  });

  it('rejects a token without sub or with non-array roles', async () => {
    expect(await codeOf(authenticate(`Bearer ${await token({ roles: ['customer'] })}`, jwt))).toBe('UNAUTHENTICATED');
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1', roles: 'operator' })}`, jwt))).toBe('UNAUTHENTICATED');
  });

  it('rejects alg none and other algorithms than HS256', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u1","roles":["operator"]}').toString('base64url')}.`;
    expect(await codeOf(authenticate(`Bearer ${none}`, jwt))).toBe('UNAUTHENTICATED');
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1' }, { alg: 'HS512', secret: SECRET + SECRET })}`, jwt))).toBe('UNAUTHENTICATED');
  });
});

describe('authenticate, strict (production) jwt', () => {
  it('accepts a fresh token with exp', async () => {
    expect(await authenticate(`Bearer ${await token({ sub: 'u1', roles: ['customer'] })}`, strict)).toMatchObject({ subject: 'u1' });
  });
  it('refuses a token without exp, and one issued longer ago than the maximum age', async () => {
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1' }, { exp: null })}`, strict))).toBe('UNAUTHENTICATED');
    expect(await authenticate(`Bearer ${await token({ sub: 'u1' }, { exp: null })}`, jwt)).toMatchObject({ subject: 'u1' });
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1' }, { iat: old, exp: '1h' })}`, strict))).toBe('UNAUTHENTICATED');
  });
  it('accepts only the configured algorithms', async () => {
    const hs512 = await token({ sub: 'u1' }, { alg: 'HS512', secret: SECRET + SECRET });
    expect(await codeOf(authenticate(`Bearer ${hs512}`, strict))).toBe('UNAUTHENTICATED');
    const allowed: Pick<AppConfig, 'auth'> = { auth: { ...strict.auth, jwtSecret: SECRET + SECRET, algorithms: ['HS512'] } };
    expect(await authenticate(`Bearer ${hs512}`, allowed)).toMatchObject({ subject: 'u1' });
  });
});

describe('authenticate, none mode (reachable, nothing configured)', () => {
  const none: Pick<AppConfig, 'auth'> = { auth: { mode: 'none', algorithms: ['HS256'], requireExp: false } };
  it('refuses dev tokens and JWTs alike; no header stays anonymous', async () => {
    expect(await codeOf(authenticate('Bearer dev:anyone:operator', none))).toBe('UNAUTHENTICATED');
    expect(await codeOf(authenticate(`Bearer ${await token({ sub: 'u1' })}`, none))).toBe('UNAUTHENTICATED');
    expect(await authenticate(undefined, none)).toEqual(anonymous());
  });
});

describe('access helpers', () => {
  const alice: Principal = { subject: 'alice', roles: ['customer'], customerId: 'alice' };
  const op: Principal = { subject: 'op', roles: ['operator'] };
  const staff: Principal = { subject: 'st', roles: ['staff'] };

  it('requireRole: UNAUTHENTICATED for anonymous, FORBIDDEN without the role', async () => {
    expect(await codeOf(() => requireRole(anonymous(), 'operator'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(() => requireRole(alice, 'operator'))).toBe('FORBIDDEN');
    expect(await codeOf(() => requireRole(op, 'operator'))).toBe('no error');
  });

  it('requireCustomerAccess: a customer only their own, operators and staff anyone', async () => {
    expect(await codeOf(() => requireCustomerAccess(alice, 'alice'))).toBe('no error');
    expect(await codeOf(() => requireCustomerAccess(alice, 'bob'))).toBe('FORBIDDEN');
    expect(await codeOf(() => requireCustomerAccess(op, 'bob'))).toBe('no error');
    expect(await codeOf(() => requireCustomerAccess(staff, 'bob'))).toBe('no error');
    expect(await codeOf(() => requireCustomerAccess({ subject: 'x', roles: [] }, 'x'))).toBe('FORBIDDEN');
    expect(await codeOf(() => requireCustomerAccess(anonymous(), 'alice'))).toBe('UNAUTHENTICATED');
  });
});
