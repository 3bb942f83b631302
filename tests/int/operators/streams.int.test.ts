import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { inventoryDecider, orderDecider } from '../../../command-side/domain/aggregate.ts';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { createCommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { streamAsOf } from '../../../command-side/handlers/streamHistory.ts';
import { cliEnv, runCli } from '../../support/cli.ts';
import { freshEventStore, testCtx } from '../../support/eventStore.ts';
import { placeOrder, seedProduct } from '../../support/orders.ts';

describe('streams show: history and state as of a moment (real Postgres)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let orderId = '';
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('streamsshow'));
    // A handler whose clock we move: the three known moments of one order's life.
    let now = at('2026-03-01T08:00:00Z');
    const handler = createCommandHandler({ store, clock: () => now });
    await seedProduct(handler, 'MUG', 1250, 10);
    now = at('2026-03-01T09:00:00Z');
    orderId = await placeOrder(handler, pool, 'cust-7', [{ sku: 'MUG', quantity: 2 }]);
    now = at('2026-03-01T12:00:00Z');
    await handler.handle(inventoryDecider, 'MUG', { type: 'ReserveStock', data: { sku: 'MUG', orderId, quantity: 2 } }, testCtx());
    await handler.handle(orderDecider, orderId, { type: 'MarkStockReserved', data: { orderId } }, testCtx());
    await handler.handle(orderDecider, orderId, { type: 'MarkPaymentAuthorised', data: { orderId, authorisationId: 'auth-1' } }, testCtx());
    await handler.handle(orderDecider, orderId, { type: 'ConfirmOrder', data: { orderId, now: now.toISOString() } }, testCtx());
    now = at('2026-03-01T14:00:00Z');
    await handler.handle(orderDecider, orderId, { type: 'ShipOrder', data: { orderId, now: now.toISOString() } }, testCtx());
  });
  afterAll(() => pool.end());

  it('folds the order as it was at three known moments (and before it existed)', async () => {
    const stream = `order-${orderId}`;
    const before = await streamAsOf(store, stream, { at: at('2026-03-01T08:59:59Z') });
    expect(before).toMatchObject({ aggregate: 'order', version: 0, headVersion: 5, history: [], state: { status: 'none' } });
    const placed = await streamAsOf(store, stream, { at: at('2026-03-01T10:30:00Z') });
    expect(placed).toMatchObject({ version: 1, state: { status: 'placed', customerId: 'cust-7', totalMinor: 2500, stock: 'pending', payment: 'pending' } });
    expect(placed?.history.map((h) => h.type)).toEqual(['OrderPlaced']);
    const confirmed = await streamAsOf(store, stream, { at: at('2026-03-01T13:59:59Z') });
    expect(confirmed).toMatchObject({ version: 4, state: { status: 'confirmed', stock: 'reserved', payment: 'authorised', authorisationId: 'auth-1' } });
    const shipped = await streamAsOf(store, stream, { at: at('2026-03-01T18:00:00Z') });
    expect(shipped).toMatchObject({ version: 5, state: { status: 'shipped' } });
    expect((await streamAsOf(store, stream, { maxVersion: 2 }))?.state).toMatchObject({ status: 'placed', stock: 'reserved' });
    expect(await streamAsOf(store, 'order-missing')).toBeUndefined();
  });

  it('shows other aggregates too (maps printed as objects)', async () => {
    const inv = await streamAsOf(store, 'inventory-MUG', { at: at('2026-03-01T12:30:00Z') });
    expect(inv).toMatchObject({ aggregate: 'inventory', version: 2, state: { onHand: 10, reserved: 2, reservations: { [orderId]: { status: 'held', quantity: 2 } } } });
  });

  it('through the CLI: --at, --version, --json; exit 3 for a missing stream, 2 for a bad time', async () => {
    const env = cliEnv({ databaseUrl: (pool.options as { connectionString: string }).connectionString, mongoDb: 'unused' });
    const r = await runCli(['streams', 'show', `order-${orderId}`, '--at', '2026-03-01T13:00:00Z', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 4, bound: { at: '2026-03-01T13:00:00.000Z' }, state: { status: 'confirmed' } });
    const text = await runCli(['streams', 'show', `order-${orderId}`, '--version', '1'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('version 1 of 5');
    expect(text.stdout).toContain('"status": "placed"');
    expect((await runCli(['streams', 'show', 'order-nope'], env)).code).toBe(3);
    expect((await runCli(['streams', 'show', `order-${orderId}`, '--at', 'yesterday'], env)).code).toBe(2);
  });
});
