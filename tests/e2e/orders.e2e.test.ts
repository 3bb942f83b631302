import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, subscribe, tokens, type TestApp } from '../support/app.ts';

const PLACE = `mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { id streamVersion consistencyToken applied } }`;
const ORDER = `query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id status customerId total { amountMinor currency } lines { sku quantity unitPrice { amountMinor } lineTotal { amountMinor } } statusHistory { status } } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

async function eventTypes(app: TestApp, streamId: string): Promise<string[]> {
  const { rows } = await app.pool.query<{ type: string }>('select type from events where stream_id = $1 order by stream_version', [streamId]);
  return rows.map((r) => r.type);
}
const eventCount = async (app: TestApp) => Number((await app.pool.query<{ n: string }>('select count(*) as n from events')).rows[0]?.n);

describe('orders through GraphQL over HTTP and WebSocket (real stack)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('e2eorders');
    const define = await app.gql(`mutation { a: defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1250, currency: "EUR" } }) { id }
      b: defineProduct(input: { sku: "TEE", name: "Tee", unitPrice: { amountMinor: 2000, currency: "EUR" } }) { id }
      c: defineProduct(input: { sku: "HAT", name: "Hat", unitPrice: { amountMinor: 900, currency: "USD" } }) { id }
      r: restock(input: { sku: "MUG", quantity: 50 }) { id } }`, {}, tokens.staff);
    expect(define.errors).toBeUndefined();
  });
  afterAll(() => app?.stop());

  it('placeOrder appends OrderPlaced priced by the catalogue; the token reads it back with no sleep', async () => {
    const input = { customerId: 'c1', lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'TEE', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' };
    const placed = await app.gql<{ placeOrder: { id: string; streamVersion: number; consistencyToken: string; applied: boolean } }>(PLACE, { input }, tokens.customer('c1'));
    expect(placed.errors).toBeUndefined();
    const { id, consistencyToken } = placed.data!.placeOrder;
    expect(placed.data!.placeOrder).toMatchObject({ streamVersion: 1, applied: true });
    expect(await eventTypes(app, `order-${id}`)).toEqual(['OrderPlaced']);

    const read = await app.gql<{ order: { status: string; total: { amountMinor: number } } }>(ORDER, { id, t: consistencyToken }, tokens.customer('c1'));
    expect(read.errors).toBeUndefined();
    expect(read.data!.order).toMatchObject({ id, status: 'PLACED', customerId: 'c1', total: { amountMinor: 4500, currency: 'EUR' } });
    const list = await app.gql<{ ordersByCustomer: { edges: { node: { id: string; itemCount: number } }[] } }>(
      `query($t: String) { ordersByCustomer(customerId: "c1", first: 10, consistentWith: $t) { edges { cursor node { id itemCount status } } pageInfo { hasNextPage } } }`, { t: consistencyToken }, tokens.customer('c1'));
    expect(list.data!.ordersByCustomer.edges.map((e) => e.node.id)).toContain(id);

    // The token is signed: pushing its position far ahead (to park reads) or dropping the signature is refused.
    expect(consistencyToken).toMatch(/^v2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const [v, kid, , mac] = consistencyToken.split('.');
    const ahead = Buffer.from(JSON.stringify({ s: `order-${id}`, p: '99999999.1' })).toString('base64url');
    for (const forged of [`${v}.${kid}.${ahead}.${mac}`, ahead]) {
      const refused = await app.gql(ORDER, { id, t: forged }, tokens.customer('c1'));
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: ['consistentWith'] }] });
    }
  });

  it('a retried placeOrder with the same idempotency key returns the first result and appends nothing', async () => {
    const input = { customerId: 'c2', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' };
    const first = await app.gql<{ placeOrder: { id: string; applied: boolean } }>(PLACE, { input, key: 'k-1' }, tokens.customer('c2'));
    const before = await eventCount(app);
    const again = await Promise.all(Array.from({ length: 5 }, () => app.gql<{ placeOrder: { id: string; applied: boolean } }>(PLACE, { input, key: 'k-1' }, tokens.customer('c2'))));
    expect(await eventCount(app)).toBe(before);
    for (const r of again) expect(r.data!.placeOrder).toMatchObject({ id: first.data!.placeOrder.id, applied: false });
  });

  it('bad input of every kind gets a typed error and writes nothing', async () => {
    const before = await eventCount(app);
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['negative quantity', { customerId: 'c3', lines: [{ sku: 'MUG', quantity: -1 }], shippingAddress: address, paymentToken: 'tok_visa' }, 'BAD_USER_INPUT', 'input.lines.0.quantity'],
      ['unknown sku', { customerId: 'c3', lines: [{ sku: 'NOPE', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' }, 'BAD_USER_INPUT', 'input.lines.0.sku'],
      ['mixed currency', { customerId: 'c3', lines: [{ sku: 'MUG', quantity: 1 }, { sku: 'HAT', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' }, 'BAD_USER_INPUT', ''],
      ['no lines', { customerId: 'c3', lines: [], shippingAddress: address, paymentToken: 'tok_visa' }, 'BAD_USER_INPUT', 'input.lines'],
      ['bad country', { customerId: 'c3', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: { ...address, country: 'France' }, paymentToken: 'tok_visa' }, 'BAD_USER_INPUT', 'input.shippingAddress.country'],
    ];
    for (const [what, input, code, path] of cases) {
      const r = await app.gql(PLACE, { input }, tokens.customer('c3'));
      expect(r.status, what).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code, what).toBe(code);
      if (path) expect(JSON.stringify(r.errors?.[0]?.extensions?.fieldErrors), what).toContain(JSON.stringify(path.split('.')).slice(1, -1));
    }
    const other = await app.gql(PLACE, { input: { customerId: 'someone-else', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } }, tokens.customer('c3'));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await app.gql(`mutation { restock(input: { sku: "MUG", quantity: 1 }) { id } }`);
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrongType = await app.gql(`mutation { restock(input: { sku: "MUG", quantity: "many" }) { id } }`, {}, tokens.staff);
    expect(wrongType.status).toBe(400);
    const cancelMissing = await app.gql(`mutation { cancelOrder(input: { orderId: "00000000-0000-4000-8000-000000000000", reason: "x" }) { id } }`, {}, tokens.staff);
    expect(cancelMissing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badToken = await app.gql(ORDER, { id: 'x', t: 'not-a-token' }, tokens.staff);
    expect(badToken.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await eventCount(app)).toBe(before);
  });

  it('pagination is stable while new orders arrive; bad cursors are typed errors', async () => {
    const cust = 'pager';
    const place = async () => (await app.gql<{ placeOrder: { id: string; consistencyToken: string } }>(PLACE, { input: { customerId: cust, lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } }, tokens.customer(cust))).data!.placeOrder;
    let last = { id: '', consistencyToken: '' };
    for (let i = 0; i < 5; i++) last = await place();
    const PAGE = `query($after: String, $t: String) { ordersByCustomer(customerId: "${cust}", first: 2, after: $after, consistentWith: $t) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`;
    type Page = { ordersByCustomer: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } };
    const p1 = (await app.gql<Page>(PAGE, { t: last.consistencyToken }, tokens.customer(cust))).data!.ordersByCustomer;
    const newer = await place(); // arrives between pages: must not shift page 2
    const p2 = (await app.gql<Page>(PAGE, { after: p1.pageInfo.endCursor, t: newer.consistencyToken }, tokens.customer(cust))).data!.ordersByCustomer;
    const p3 = (await app.gql<Page>(PAGE, { after: p2.pageInfo.endCursor }, tokens.customer(cust))).data!.ordersByCustomer;
    const seen = [...p1.edges, ...p2.edges, ...p3.edges].map((e) => e.node.id);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen).not.toContain(newer.id);
    expect(p3.pageInfo.hasNextPage).toBe(false);
    const bad = await app.gql(PAGE, { after: 'garbage!!' }, tokens.customer(cust));
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await app.gql(`{ ordersByCustomer(customerId: "${cust}", first: 1000) { edges { cursor } } }`, {}, tokens.customer(cust));
    expect(tooMany.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
  });

  it('orderUpdated pushes a change over graphql-ws, and a resumed subscriber catches up', async () => {
    const input = { customerId: 'c9', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' };
    const { id, consistencyToken } = (await app.gql<{ placeOrder: { id: string; consistencyToken: string } }>(PLACE, { input }, tokens.customer('c9'))).data!.placeOrder;
    const SUB = `subscription($id: ID!, $t: String, $since: String) { orderUpdated(orderId: $id, consistentWith: $t, since: $since) { token order { status version } } }`;
    type Msg = { orderUpdated: { token: string; order: { status: string; version: number } } };
    const live = subscribe<Msg>(app.ws(tokens.customer('c9')), SUB, { id, t: consistencyToken });
    await new Promise((r) => setTimeout(r, 300)); // the subscribe round trip
    await app.gql(`mutation($id: ID!) { cancelOrder(input: { orderId: $id, reason: "changed my mind" }) { id } }`, { id }, tokens.customer('c9'));
    const [msg] = await live.waitFor(1);
    expect(msg?.orderUpdated.order).toMatchObject({ status: 'CANCELLED', version: 2 });
    // A dashboard that was away resumes with an old token: it first gets the latest state.
    const resumed = subscribe<Msg>(app.ws(tokens.customer('c9')), SUB, { id, since: msg?.orderUpdated.token });
    const [first] = await resumed.waitFor(1);
    expect(first?.orderUpdated.order).toMatchObject({ status: 'CANCELLED', version: 2 });
    live.stop();
    resumed.stop();
  });
});
