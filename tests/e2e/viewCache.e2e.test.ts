import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, subscribe, tokens, type TestApp } from '../support/app.ts';

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id consistencyToken } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(input: { orderId: $id, reason: "changed my mind" }) { consistencyToken } }`;
const ORDER = `query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id status version } }`;
const STOCK = `query($t: String) { inventory(skus: ["CUP"], consistentWith: $t) { sku onHand } }`;
const RESTOCK = `mutation($q: Int!) { restock(input: { sku: "CUP", quantity: $q }) { consistencyToken } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

type Gql<T> = { data?: T; errors?: { message: string }[] };
const ok = <T>(r: Gql<T>): T => {
  expect(r.errors).toBeUndefined();
  return r.data as T;
};

/** The view cache's lookup counters of `view` on this process's /metrics (in-process roles share one registry). */
async function lookups(app: TestApp, view: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(app.url.replace(/\/graphql$/, '/metrics'))).text();
  const value = (outcome: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`orderflow_view_cache_lookups_total{view="${view}",outcome="${outcome}"}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { hit: value('hit'), miss: value('miss') };
}

describe('view cache through HTTP and WebSocket (real stack)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('e2eviewcache');
    ok(await app.gql(`mutation { a: defineProduct(input: { sku: "CUP", name: "Cup", unitPrice: { amountMinor: 700, currency: "EUR" } }) { id }
      r: restock(input: { sku: "CUP", quantity: 1000 }) { id } }`, {}, tokens.staff));
  });
  afterAll(() => app?.stop());

  it('read-your-writes through the cache: a cached order is never served older than the token, and repeated reads are hits', async () => {
    const customer = tokens.customer('vc1');
    for (let i = 0; i < 8; i++) {
      const input = { customerId: 'vc1', lines: [{ sku: 'CUP', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' };
      const { placeOrder } = ok(await app.gql<{ placeOrder: { id: string; consistencyToken: string } }>(PLACE, { input }, customer));
      const placed = ok(await app.gql<{ order: { status: string } }>(ORDER, { id: placeOrder.id, t: placeOrder.consistencyToken }, customer));
      expect(placed.order.status).toBe('PLACED');
      // Warm the cache with the PLACED document, then read it again: served from memory.
      const before = await lookups(app, 'order_detail');
      for (let k = 0; k < 3; k++) expect(ok(await app.gql<{ order: { status: string } }>(ORDER, { id: placeOrder.id }, customer)).order.status).toBe('PLACED');
      const after = await lookups(app, 'order_detail');
      expect(after.hit - before.hit).toBeGreaterThanOrEqual(2);
      // A change, then a read with its token: the cached PLACED document must not answer it.
      const { cancelOrder } = ok(await app.gql<{ cancelOrder: { consistencyToken: string } }>(CANCEL, { id: placeOrder.id }, tokens.staff));
      const cancelled = ok(await app.gql<{ order: { status: string } }>(ORDER, { id: placeOrder.id, t: cancelOrder.consistencyToken }, customer));
      expect(cancelled.order.status).toBe('CANCELLED');
    }
  });

  it('inventory(skus) with a token sees the restock even though the old level was cached', async () => {
    let expected = ok(await app.gql<{ inventory: { onHand: number }[] }>(STOCK, {}, tokens.staff)).inventory[0]?.onHand ?? 0;
    for (let i = 1; i <= 6; i++) {
      ok(await app.gql(STOCK, {}, tokens.staff)); // cached at the current level
      const { restock } = ok(await app.gql<{ restock: { consistencyToken: string } }>(RESTOCK, { q: i }, tokens.staff));
      expected += i;
      const read = ok(await app.gql<{ inventory: { onHand: number }[] }>(STOCK, { t: restock.consistencyToken }, tokens.staff));
      expect(read.inventory[0]?.onHand).toBe(expected);
    }
  });

  it('subscription payloads are read once into the cache: the order read at the payload token is a hit, and a resume is served from memory', async () => {
    const customer = tokens.customer('vc2');
    const input = { customerId: 'vc2', lines: [{ sku: 'CUP', quantity: 2 }], shippingAddress: address, paymentToken: 'tok_visa' };
    const { placeOrder } = ok(await app.gql<{ placeOrder: { id: string; consistencyToken: string } }>(PLACE, { input }, customer));
    ok(await app.gql(ORDER, { id: placeOrder.id, t: placeOrder.consistencyToken }, customer));
    // Resuming from the placement's token sends the current state first: then the subscription is live.
    const sub = subscribe<{ orderUpdated: { token: string; order: { status: string } } }>(app.ws(customer), `subscription($id: ID!, $s: String) { orderUpdated(orderId: $id, since: $s) { token order { status } } }`, { id: placeOrder.id, s: placeOrder.consistencyToken });
    expect((await sub.waitFor(1))[0]?.orderUpdated.order.status).toBe('PLACED');
    ok(await app.gql(CANCEL, { id: placeOrder.id }, tokens.staff));
    const msg = (await sub.waitFor(2))[1];
    expect(msg?.orderUpdated.order.status).toBe('CANCELLED');
    const before = await lookups(app, 'order_detail');
    const read = ok(await app.gql<{ order: { status: string } }>(ORDER, { id: placeOrder.id, t: msg?.orderUpdated.token }, customer));
    expect(read.order.status).toBe('CANCELLED');
    const after = await lookups(app, 'order_detail');
    expect(after.hit - before.hit).toBe(1);
    expect(after.miss - before.miss).toBe(0);
    sub.stop();
    // Resume with the last token: the latest state comes first, from the cache.
    const resumed = subscribe<{ orderUpdated: { order: { status: string } } }>(app.ws(customer), `subscription($id: ID!, $s: String) { orderUpdated(orderId: $id, since: $s) { token order { status } } }`, { id: placeOrder.id, s: msg?.orderUpdated.token });
    const [first] = await resumed.waitFor(1);
    expect(first?.orderUpdated.order.status).toBe('CANCELLED');
    const end = await lookups(app, 'order_detail');
    expect(end.miss - after.miss).toBe(0);
    resumed.stop();
  });

  it('/metrics shows the hit ratio, entries and evictions', async () => {
    const text = await (await fetch(app.url.replace(/\/graphql$/, '/metrics'))).text();
    const ratio = Number(/^orderflow_view_cache_hit_ratio (\S+)$/m.exec(text)?.[1]);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(Number(/^orderflow_view_cache_entries (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE orderflow_view_cache_evictions_total counter$/m);
  });
});
