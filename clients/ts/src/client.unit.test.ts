import { describe, expect, it } from 'vitest';
import { createOrderflowClient } from './client.ts';
import { OrderflowError, StaleReadError } from './errors.ts';
import { OrderDocument, PlaceOrderDocument, HealthDocument } from './generated/graphql.ts';
import type { Scheduler } from './retry.ts';
import type { FetchLike } from './transport.ts';

/** A mutation token as the server encodes it (`v2.<kid>.<base64url JSON: stream and "xid.gp" position>.<mac>`). */
const tokenAt = (stream: string, position: string) => `v2.k1.${Buffer.from(JSON.stringify({ s: stream, p: position })).toString('base64url')}.${'A'.repeat(43)}`;

type Sent = { query: string; variables: Record<string, unknown>; authorization?: string };

/** A fake `fetch` at the client's boundary: records each request and answers from `reply`. */
function fakeFetch(reply: (req: Sent, n: number) => { status?: number; body: unknown } | Error) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (_url, init) => {
    const body = JSON.parse(init.body) as Sent;
    const req = { ...body, ...(init.headers['authorization'] && { authorization: init.headers['authorization'] }) };
    sent.push(req);
    const r = reply(req, sent.length);
    if (r instanceof Error) throw r;
    return { status: r.status ?? 200, text: async () => (typeof r.body === 'string' ? r.body : JSON.stringify(r.body)) };
  };
  return { fetch, sent };
}

const delays: number[] = [];
const instant: Scheduler = { sleep: async (ms) => void delays.push(ms), random: () => 0.5 };
const placeInput = { customerId: 'c1', lines: [{ sku: 'LAMP', quantity: 1 }], shippingAddress: { line1: 'x', city: 'y', postalCode: '1', country: 'FR' }, paymentToken: 'tok_visa' };
const placed = (token: string) => ({ body: { data: { placeOrder: { id: 'o1', streamVersion: 1, consistencyToken: token, applied: true } } } });
const retriableError = (code: string) => ({ errors: [{ message: code, extensions: { code, retriable: true } }] });

describe('read-your-writes: token threading', () => {
  it('sends the newest token of the session as consistentWith, never an older one', async () => {
    const t1 = tokenAt('order-a', '100.5');
    const t2 = tokenAt('order-b', '100.9');
    const { fetch, sent } = fakeFetch((req) => (req.query.includes('mutation') ? placed(req.variables['input'] === 'late' ? t1 : t2) : { body: { data: { order: null } } }) as never);
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, token: 'dev:c1:customer', scheduler: instant });

    await client.query(OrderDocument, { id: 'o1' });
    expect(sent[0]?.variables['consistentWith']).toBeUndefined(); // nothing written yet

    await client.mutate(PlaceOrderDocument, { input: placeInput });
    await client.query(OrderDocument, { id: 'o1' });
    expect(sent[2]?.variables['consistentWith']).toBe(t2);
    expect(sent[2]?.authorization).toBe('Bearer dev:c1:customer');

    // A mutation answered late with an older position does not move the session backwards.
    await client.mutate(PlaceOrderDocument, { input: 'late' as never });
    await client.query(OrderDocument, { id: 'o1' });
    expect(client.session.token).toBe(t2);
    expect(sent[4]?.variables['consistentWith']).toBe(t2);
  });

  it('per call: false turns it off, a token string widens it to the newer one, an explicit variable wins', async () => {
    const mine = tokenAt('order-a', '200.1');
    const other = tokenAt('order-z', '300.1');
    const { fetch, sent } = fakeFetch((req) => (req.query.includes('mutation') ? placed(mine) : { body: { data: { order: null } } }) as never);
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant });
    await client.mutate(PlaceOrderDocument, { input: placeInput });
    await client.query(OrderDocument, { id: 'o1' }, { consistentWith: false });
    await client.query(OrderDocument, { id: 'o1' }, { consistentWith: other });
    await client.query(OrderDocument, { id: 'o1' }, { consistentWith: tokenAt('order-y', '1.1') });
    await client.query(OrderDocument, { id: 'o1', consistentWith: 'explicit' });
    expect(sent.slice(1).map((s) => s.variables['consistentWith'])).toEqual([undefined, other, mine, 'explicit']);
  });

  it('an operation without $consistentWith is sent unchanged', async () => {
    const { fetch, sent } = fakeFetch(() => ({ body: { data: { health: { status: 'ok', version: '1' } } } }));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant });
    client.session.observe(tokenAt('order-a', '1.1'));
    await client.query(HealthDocument, {});
    expect(sent[0]?.variables).toEqual({});
  });

  it('STALE_READ_TIMEOUT surfaces as a typed StaleReadError carrying the token, after its retries', async () => {
    const t = tokenAt('order-a', '9.9');
    const { fetch, sent } = fakeFetch(() => ({ body: retriableError('STALE_READ_TIMEOUT') }));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant, retry: { attempts: 2 } });
    client.session.observe(t);
    const err = await client.query(OrderDocument, { id: 'o1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleReadError);
    expect((err as StaleReadError).token).toBe(t);
    expect((err as StaleReadError).code).toBe('STALE_READ_TIMEOUT');
    expect(sent).toHaveLength(2);
  });
});

describe('retries: only where the error says retriable', () => {
  it('retries a query on retriable errors and network failures with growing jittered delays, then succeeds', async () => {
    delays.length = 0;
    const { fetch, sent } = fakeFetch((_r, n) => (n === 1 ? new TypeError('fetch failed') : n === 2 ? { body: retriableError('SERVICE_UNAVAILABLE') } : { body: { data: { order: null } } }));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant, retry: { baseMs: 100, maxMs: 10_000 } });
    expect(await client.query(OrderDocument, { id: 'o1' })).toEqual({ order: null });
    expect(sent).toHaveLength(3);
    expect(delays).toEqual([75, 150]); // equal jitter at random 0.5: 100 → 50 + 25, 200 → 100 + 50
  });

  it('does not retry an error the server marks retriable: false, even with a usually-transient code', async () => {
    const { fetch, sent } = fakeFetch(() => ({ body: { errors: [{ message: 'version conflict', extensions: { code: 'CONFLICT', retriable: false } }] } }));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant });
    const err = await client.query(OrderDocument, { id: 'o1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderflowError);
    expect((err as OrderflowError).code).toBe('CONFLICT');
    expect(sent).toHaveLength(1);
  });

  it('retries a mutation with one idempotency key generated once for the logical call', async () => {
    let keys = 0;
    const { fetch, sent } = fakeFetch((_r, n) => (n < 3 ? { body: retriableError('SERVICE_UNAVAILABLE') } : placed(tokenAt('order-o1', '5.5'))));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant, newIdempotencyKey: () => `key-${++keys}` });
    await client.mutate(PlaceOrderDocument, { input: placeInput });
    expect(sent.map((s) => s.variables['idempotencyKey'])).toEqual(['key-1', 'key-1', 'key-1']);
    await client.mutate(PlaceOrderDocument, { input: placeInput });
    expect(sent[3]?.variables['idempotencyKey']).toBe('key-2'); // a new logical call, a new key
  });

  it('never retries a mutation whose document has no idempotency key', async () => {
    const noKey = Object.assign(new String('mutation Ping { ping }'), {}) as unknown as typeof PlaceOrderDocument;
    const { fetch, sent } = fakeFetch(() => new TypeError('socket hang up'));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant });
    const err = await client.mutate(noKey, { input: placeInput }).catch((e: unknown) => e);
    expect((err as OrderflowError).code).toBe('NETWORK_ERROR');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.variables['idempotencyKey']).toBeUndefined();
  });

  it('a 503 page that is not JSON is retriable; a 400 one is not', async () => {
    const { fetch, sent } = fakeFetch((_r, n) => (n === 1 ? { status: 503, body: '<html>down</html>' } : { status: 400, body: 'nope' }));
    const client = createOrderflowClient({ url: 'http://api/graphql', fetch, scheduler: instant });
    const err = await client.query(OrderDocument, { id: 'o1' }).catch((e: unknown) => e);
    expect((err as OrderflowError).code).toBe('BAD_RESPONSE');
    expect(sent).toHaveLength(2);
  });
});
