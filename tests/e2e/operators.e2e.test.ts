import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTERS, type DeadLetterDoc } from '../../projector/runner/deadLetters.ts';
import { startApp, subscribe, tokens, type TestApp } from '../support/app.ts';
import { eventually } from '../support/pipeline.ts';

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id consistencyToken } }`;
const STATUS = `{ projectionStatus { name codeVersion liveCodeVersion stale generation lag deadLettersOpen
  lastError { error streamId } partitions { topic partition offset highWatermark lag position } rebuild { status phase targetGeneration } } }`;
const AS_OF = `query($id: ID!, $at: DateTime!) { orderAsOf(id: $id, at: $at) { id status version customerId total { amountMinor currency }
  lines { sku quantity } statusHistory { status reason } shippingAddress { city } } }`;
const DEAD = `query($p: String, $s: DeadLetterStatus) { deadLetters(projection: $p, status: $s) { id projection status streamId streamVersion type error attempts } }`;
const REBUILD = `mutation($name: String!) { rebuildProjection(name: $name) { projection owner fromGeneration targetGeneration startedAt } }`;
const PROGRESS = `subscription($p: String!) { rebuildProgress(projection: $p) { projection owner status phase eventsDone totalEstimate rate targetGeneration } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

type Progress = { rebuildProgress: { owner: string; status: string; phase: string; eventsDone: number; targetGeneration: number } };
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('operators through GraphQL over HTTP and WebSocket (real stack)', () => {
  let app: TestApp;
  let orderId = '';
  const moments: Record<'before' | 'placed' | 'cancelled', string> = { before: '', placed: '', cancelled: '' };

  beforeAll(async () => {
    app = await startApp('e2eops');
    const define = await app.gql(`mutation { defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1250, currency: "EUR" } }) { id } }`, {}, tokens.staff);
    expect(define.errors).toBeUndefined();
    moments.before = new Date().toISOString();
    await tick();
    const placed = await app.gql<{ placeOrder: { id: string } }>(PLACE, { input: { customerId: 'c1', lines: [{ sku: 'MUG', quantity: 2 }], shippingAddress: address, paymentToken: 'tok_visa' } }, tokens.customer('c1'));
    expect(placed.errors).toBeUndefined();
    orderId = placed.data!.placeOrder.id;
    await tick();
    moments.placed = new Date().toISOString();
    await tick();
    const cancelled = await app.gql(`mutation($id: ID!) { cancelOrder(input: { orderId: $id, reason: "changed mind" }) { id } }`, { id: orderId }, tokens.customer('c1'));
    expect(cancelled.errors).toBeUndefined();
    await tick();
    moments.cancelled = new Date().toISOString();
  });
  afterAll(() => app?.stop());

  it('projectionStatus: generation, code version, partitions and lag of every projection', async () => {
    type S = { projectionStatus: { name: string; generation: number; codeVersion: number; liveCodeVersion: number; stale: string | null; partitions: { lag: number; position: string }[] }[] };
    const r = await eventually(async () => {
      const res = await app.gql<S>(STATUS, {}, tokens.operator);
      const detail = res.data?.projectionStatus.find((p) => p.name === 'order_detail');
      return detail && detail.partitions.length > 0 ? res : undefined;
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.projectionStatus.map((p) => p.name)).toEqual(['order_detail', 'orders_by_customer', 'inventory', 'revenue_by_day', 'sales_by_product']);
    expect(r.data!.projectionStatus[0]).toMatchObject({ generation: 1, codeVersion: 1, liveCodeVersion: 1, stale: null });
    expect(r.data!.projectionStatus[0]?.partitions[0]?.position).toMatch(/^\d+\.\d+$/);
  });

  it('orderAsOf: the order as it was at three known moments', async () => {
    const at = async (iso: string) => {
      const r = await app.gql<{ orderAsOf: Record<string, unknown> | null }>(AS_OF, { id: orderId, at: iso }, tokens.operator);
      expect(r.errors).toBeUndefined();
      return r.data!.orderAsOf;
    };
    expect(await at(moments.before)).toBeNull();
    expect(await at(moments.placed)).toMatchObject({ id: orderId, status: 'PLACED', version: 1, customerId: 'c1', total: { amountMinor: 2500, currency: 'EUR' }, statusHistory: [{ status: 'PLACED' }], shippingAddress: { city: 'Paris' } });
    expect(await at(moments.cancelled)).toMatchObject({ status: 'CANCELLED', version: 2, statusHistory: [{ status: 'PLACED' }, { status: 'CANCELLED', reason: 'changed mind' }] });
    const bad = await app.gql(AS_OF, { id: orderId, at: 'noon' }, tokens.operator);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('deadLetters: filtered by projection and status', async () => {
    const doc: DeadLetterDoc = {
      _id: 'g:t:0:7', group: 'g', projection: 'inventory', topic: 't', partition: 0, offset: '7', streamId: 'inventory-X', streamVersion: 3, eventId: 'e-1',
      type: 'StockRestocked', error: 'Error: boom', attempts: 5, failedAt: new Date().toISOString(), status: 'open', headers: {}, value: '{}',
    };
    await app.mongo.db(app.config.mongo.db).collection<DeadLetterDoc>(DEAD_LETTERS).insertOne(doc);
    const open = await app.gql<{ deadLetters: unknown[] }>(DEAD, { p: 'inventory', s: 'OPEN' }, tokens.operator);
    expect(open.errors).toBeUndefined();
    expect(open.data!.deadLetters).toEqual([{ id: 'g:t:0:7', projection: 'inventory', status: 'OPEN', streamId: 'inventory-X', streamVersion: 3, type: 'StockRestocked', error: 'Error: boom', attempts: 5 }]);
    expect((await app.gql<{ deadLetters: unknown[] }>(DEAD, { p: 'order_detail' }, tokens.operator)).data!.deadLetters).toEqual([]);
    const status = await app.gql<{ projectionStatus: { name: string; deadLettersOpen: number; lastError: { error: string } | null }[] }>(STATUS, {}, tokens.operator);
    expect(status.data!.projectionStatus.find((p) => p.name === 'inventory')).toMatchObject({ deadLettersOpen: 1, lastError: { error: 'Error: boom' } });
  });

  it('rebuildProjection + rebuildProgress over WebSocket: follow a rebuild to its end; a second one is a CONFLICT', async () => {
    const sub = subscribe<Progress>(app.ws(tokens.operator), PROGRESS, { p: 'order_detail' });
    await new Promise((r) => setTimeout(r, 300)); // the subscription is open before the rebuild starts
    const started = await app.gql<{ rebuildProjection: { owner: string; fromGeneration: number; targetGeneration: number } }>(REBUILD, { name: 'order_detail' }, tokens.operator);
    expect(started.errors).toBeUndefined();
    expect(started.data!.rebuildProjection).toMatchObject({ fromGeneration: 1, targetGeneration: 2 });
    const again = await app.gql(REBUILD, { name: 'order_detail' }, tokens.operator);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const items = await eventually(async () => (sub.items.some((i) => i.rebuildProgress.status === 'DONE') ? sub.items : undefined), 20_000);
    sub.stop();
    const mine = items.map((i) => i.rebuildProgress).filter((p) => p.owner === started.data!.rebuildProjection.owner);
    expect(mine[0]?.status).toBe('RUNNING');
    expect(mine.at(-1)).toMatchObject({ status: 'DONE', phase: 'DONE', targetGeneration: 2 });
    expect(mine.at(-1)?.eventsDone).toBeGreaterThan(0);

    // Reads go to the rebuilt generation, with the same answer.
    const order = await app.gql<{ order: { status: string } }>(`query($id: ID!) { order(id: $id) { status } }`, { id: orderId }, tokens.operator);
    expect(order.data!.order.status).toBe('CANCELLED');
    const status = await app.gql<{ projectionStatus: { name: string; generation: number; rebuild: { status: string } }[] }>(STATUS, {}, tokens.operator);
    expect(status.data!.projectionStatus.find((p) => p.name === 'order_detail')).toMatchObject({ generation: 2, rebuild: { status: 'DONE' } });
    const unknown = await app.gql(REBUILD, { name: 'nope' }, tokens.operator);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('everything here is FORBIDDEN for a customer (and UNAUTHENTICATED anonymously)', async () => {
    const customer = tokens.customer('c1');
    for (const [query, vars] of [[STATUS, {}], [AS_OF, { id: orderId, at: moments.placed }], [DEAD, {}], [REBUILD, { name: 'order_detail' }]] as const) {
      const r = await app.gql(query, vars, customer);
      expect(r.errors?.[0]?.extensions?.code, query.slice(0, 40)).toBe('FORBIDDEN');
    }
    expect((await app.gql(STATUS, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const sub = subscribe<Progress>(app.ws(customer), PROGRESS, { p: 'order_detail' });
    await eventually(async () => sub.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toContain('FORBIDDEN');
    sub.stop();
  });
});
