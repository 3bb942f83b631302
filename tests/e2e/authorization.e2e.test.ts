import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, subscribe, type TestApp } from '../support/app.ts';

/**
 * Authorisation as an attacker meets it, over HTTP and WebSocket, with signed JWTs: customers A
 * and B, staff, and forged tokens. A must learn nothing about B's orders, not even whether one exists.
 */
const SECRET = randomBytes(32).toString('hex');
const ISSUER = 'https://issuer.authz.test/';
const AUDIENCE = 'orderflow';
const key = new TextEncoder().encode(SECRET);

function jwt(sub: string, roles: string[], opts: { exp?: number | string; secret?: Uint8Array } = {}): Promise<string> {
  return new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(opts.exp ?? '10m').sign(opts.secret ?? key);
}
const unsigned = (claims: object) => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id consistencyToken } }`;
const ORDER = `query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id customerId } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(input: { orderId: $id, reason: "probe" }) { id } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

describe('authorisation over HTTP and WebSocket (jwt mode)', () => {
  let app: TestApp;
  let tokenA = '';
  let tokenB = '';
  let staff = '';
  let orderB = { id: '', consistencyToken: '' };
  const missing = randomUUID();
  const eventCount = async () => Number((await app.pool.query<{ n: string }>('select count(*) as n from events')).rows[0]?.n);
  /** One HTTP call, with the bearer token as given (no "Bearer " added when it holds a space). */
  const call = (query: string, variables: Record<string, unknown>, token?: string) => app.gql(query, variables, token);

  beforeAll(async () => {
    app = await startApp('authz', undefined, { ORDERFLOW_AUTH_MODE: 'jwt', ORDERFLOW_JWT_SECRET: SECRET, ORDERFLOW_JWT_ISSUER: ISSUER, ORDERFLOW_JWT_AUDIENCE: AUDIENCE });
    [tokenA, tokenB, staff] = await Promise.all([jwt('cust-a', ['customer']), jwt('cust-b', ['customer']), jwt('staff-1', ['staff'])]);
    const define = await call(`mutation { defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1250, currency: "EUR" } }) { id } }`, {}, staff);
    expect(define.errors).toBeUndefined();
    const placed = await call(PLACE, { input: { customerId: 'cust-b', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } }, tokenB);
    expect(placed.errors).toBeUndefined();
    orderB = (placed.data as { placeOrder: typeof orderB }).placeOrder;
    // B sees their own order: the control that makes the refusals below meaningful.
    const own = await call(ORDER, { id: orderB.id, t: orderB.consistencyToken }, tokenB);
    expect(own.data).toEqual({ order: { id: orderB.id, customerId: 'cust-b' } });
  });
  afterAll(() => app?.stop());

  it("A reading B's order gets exactly what a missing order gives", async () => {
    const theirs = await call(ORDER, { id: orderB.id, t: orderB.consistencyToken }, tokenA);
    const none = await call(ORDER, { id: missing, t: orderB.consistencyToken }, tokenA);
    expect(theirs).toEqual({ status: 200, data: { order: null } });
    expect(none).toEqual(theirs);
  });

  it("A cannot list B's orders; the refusal is the same for a customer with no orders", async () => {
    const LIST = `query($c: String!) { ordersByCustomer(customerId: $c) { edges { node { id } } } }`;
    const theirs = await call(LIST, { c: 'cust-b' }, tokenA);
    const nobody = await call(LIST, { c: 'nobody-at-all' }, tokenA);
    expect(theirs.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', retriable: false });
    expect(theirs.data ?? null).toBeNull();
    expect(nobody.errors?.[0]).toEqual(theirs.errors?.[0]);
  });

  it("A cancelling B's order gets the same NOT_FOUND as a missing order, and nothing is written", async () => {
    const before = await eventCount();
    const theirs = await call(CANCEL, { id: orderB.id }, tokenA);
    const none = await call(CANCEL, { id: missing }, tokenA);
    expect(theirs.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', retriable: false });
    expect(none.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(theirs.errors).replaceAll(orderB.id, '<id>')).toBe(JSON.stringify(none.errors).replaceAll(missing, '<id>'));
    expect(await eventCount()).toBe(before);
  });

  it('anonymous and malformed cancels are refused before any read (no existence probe)', async () => {
    const anonTheirs = await call(CANCEL, { id: orderB.id });
    const anonNone = await call(CANCEL, { id: missing });
    expect(anonTheirs.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonNone.errors?.[0]).toEqual(anonTheirs.errors?.[0]);
    const malformed = await call(CANCEL, { id: 'not-a-uuid' }, tokenA);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("A cannot subscribe to B's order (same answer as a missing one) or to B's order list", async () => {
    const SUB = `subscription($id: ID!) { orderUpdated(orderId: $id) { token } }`;
    const theirs = subscribe(app.ws(tokenA), SUB, { id: orderB.id });
    const none = subscribe(app.ws(tokenA), SUB, { id: missing });
    const list = subscribe(app.ws(tokenA), `subscription { customerOrdersChanged(customerId: "cust-b") { token } }`, {});
    await expect.poll(() => theirs.errors.length + none.errors.length + list.errors.length, { timeout: 15_000 }).toBe(3);
    const codes = (errs: unknown[]) => JSON.stringify(errs).match(/"code":"([A-Z_]+)"/)?.[1];
    expect(codes(theirs.errors)).toBe('NOT_FOUND');
    expect(JSON.stringify(theirs.errors).replaceAll(orderB.id, '<id>')).toBe(JSON.stringify(none.errors).replaceAll(missing, '<id>'));
    expect(codes(list.errors)).toBe('FORBIDDEN');
    expect(theirs.items).toEqual([]);
  });

  it('a customer cannot call staff or operator fields, over HTTP or WebSocket', async () => {
    const fields = [
      `{ revenueByDay(from: "2026-01-01", to: "2026-01-02") { day } }`,
      `{ salesByProduct(sku: "MUG") { sku } }`,
      `{ projectionStatus { name } }`,
      `{ deadLetters { id } }`,
      `{ orderAsOf(id: "${orderB.id}", at: "2026-01-01T00:00:00Z") { id } }`,
      `mutation { restock(input: { sku: "MUG", quantity: 5 }) { id } }`,
      `mutation { defineProduct(input: { sku: "HAX", name: "Hax", unitPrice: { amountMinor: 1, currency: "EUR" } }) { id } }`,
      `mutation { changePrice(input: { sku: "MUG", unitPrice: { amountMinor: 1, currency: "EUR" } }) { id } }`,
      `mutation { shipOrder(input: { orderId: "${orderB.id}" }) { id } }`,
      `mutation { rebuildProjection(name: "order_detail") { projection } }`,
    ];
    const before = await eventCount();
    for (const q of fields) {
      const r = await call(q, {}, tokenA);
      expect(r.errors?.[0]?.extensions?.code, q).toBe('FORBIDDEN');
    }
    expect(await eventCount()).toBe(before);
    const subs = [`subscription { revenueUpdated(currency: "EUR") { token } }`, `subscription { rebuildProgress(projection: "order_detail") { phase } }`].map((q) => subscribe(app.ws(tokenA), q, {}));
    await expect.poll(() => subs.every((s) => s.errors.length > 0), { timeout: 15_000 }).toBe(true);
    for (const s of subs) expect(JSON.stringify(s.errors)).toContain('FORBIDDEN');
  });

  describe('forged and stale tokens are refused', async () => {
    const cases: [string, () => Promise<string>][] = [
      ['expired', () => jwt('cust-a', ['operator'], { exp: Math.floor(Date.now() / 1000) - 600 })],
      ['wrongly signed', () => jwt('cust-a', ['operator'], { secret: new TextEncoder().encode('x'.repeat(64)) })],
      ['alg none', async () => unsigned({ sub: 'cust-a', roles: ['operator'], iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })],
      ['a dev token', async () => 'dev:cust-a:operator'],
    ];
    it.each(cases)('%s: HTTP 401 UNAUTHENTICATED', async (_name, make) => {
      const r = await call(`{ projectionStatus { name } }`, {}, await make());
      expect(r.status).toBe(401);
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
    it.each(cases)('%s: the WebSocket is closed with 4403 at connection_init', async (_name, make) => {
      const token = await make();
      const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
      const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      expect(await closed).toBe(4403);
    });
  });
});
