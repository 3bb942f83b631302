import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrderflowClient, CustomerOrdersChangedDocument, DefineProductDocument, OrderDocument, PlaceOrderDocument, RestockDocument,
  type CustomerOrdersChangedSubscription, type LiveState, type OrderflowClient,
} from '../../clients/ts/src/index.ts';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import { startApp, tokens, type TestApp } from '../support/app.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.ts';

const address = { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' };
// Generous bounds: on the shared 2-core box a full-suite run can slow the saga ten-fold.
const until = async (what: string, ok: () => boolean, ms = 90_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('@orderflow/client against the real server (relay, projectors, saga, API)', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  const clients: OrderflowClient[] = [];
  const client = (token: string, url?: string) => {
    const c = createOrderflowClient({ url: url ?? app.url, token, webSocketImpl: WebSocket, retry: { baseMs: 100, maxMs: 1_000 } });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    app = await startApp('client', [relayRole, projectRole, sagaRole, serveRole]);
    proxy = await startTcpProxy(new URL(app.url).host);
    const staff = client(tokens.staff);
    await staff.mutate(DefineProductDocument, { input: { sku: 'MUG', name: 'Mug', unitPrice: { amountMinor: 1200, currency: 'EUR' } } });
    await staff.mutate(RestockDocument, { input: { sku: 'MUG', quantity: 100 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await proxy?.close();
    await app?.stop();
  });

  it('reads its own write right after the mutation, with no sleep and no consistentWith written by hand', async () => {
    const shopper = client(tokens.customer('ryw'));
    for (let i = 0; i < 5; i++) {
      const { placeOrder } = await shopper.mutate(PlaceOrderDocument, { input: { customerId: 'ryw', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } });
      expect(shopper.session.token).toBe(placeOrder.consistencyToken);
      const { order } = await shopper.query(OrderDocument, { id: placeOrder.id });
      expect(order?.id).toBe(placeOrder.id);
    }
  }, 120_000);

  it('a retried placeOrder with the generated key is applied once', async () => {
    const shopper = client(tokens.customer('idem'));
    const input = { customerId: 'idem', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' };
    const first = await shopper.mutate(PlaceOrderDocument, { input }, { idempotencyKey: 'k-1' });
    const again = await shopper.mutate(PlaceOrderDocument, { input }, { idempotencyKey: 'k-1' });
    expect(again.placeOrder).toMatchObject({ id: first.placeOrder.id, applied: false });
  }, 120_000);

  it('a subscription cut off while orders change resumes with since: every order reaches its final status, no message twice', async () => {
    const customer = 'gapless';
    const viaProxy = client(tokens.customer(customer), `http://${proxy.address}/graphql`);
    const direct = client(tokens.customer(customer));
    const received: CustomerOrdersChangedSubscription[] = [];
    const states: LiveState[] = [];
    const sub = viaProxy.subscribe(CustomerOrdersChangedDocument, { customerId: customer }, { onData: (d) => received.push(d), onState: (s) => states.push(s), resyncQuietMs: 500, resyncedHoldMs: 200 });
    await until('live', () => sub.state === 'live');
    const place = async () => (await direct.mutate(PlaceOrderDocument, { input: { customerId: customer, lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } })).placeOrder.id;
    const a = await place();
    // Lower-cased: the schema's enum values are moving to UPPER_CASE (issue 12).
    const status = (id: string) => received.filter((m) => m.customerOrdersChanged.order.id === id).at(-1)?.customerOrdersChanged.order.status.toLowerCase();
    await until('order a confirmed', () => status(a) === 'confirmed');

    proxy.cut();
    await until('disconnected', () => sub.state === 'disconnected');
    const missed = [await place(), await place()];
    // Let them confirm while the subscriber is away.
    for (const id of missed) await direct.query(OrderDocument, { id });
    await new Promise((r) => setTimeout(r, 1_500));
    proxy.restore();

    await until('resynced and live', () => states.includes('resynced') && sub.state === 'live');
    await until('missed orders confirmed', () => missed.every((id) => status(id) === 'confirmed'));
    const keys = received.map((m) => `${m.customerOrdersChanged.token}|${JSON.stringify(m.customerOrdersChanged.order)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(states.slice(states.indexOf('disconnected'))).toEqual(expect.arrayContaining(['disconnected', 'gap', 'resynced', 'live']));
    sub.dispose();
  }, 240_000);
});
