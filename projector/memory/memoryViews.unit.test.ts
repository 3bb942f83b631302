import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contracts/envelope.ts';
import { projections, stampAdds } from '../projections/index.ts';
import { inventoryProjection } from '../projections/inventory.ts';
import { orderDetailProjection } from '../projections/order_detail.ts';
import { revenueByDayProjection } from '../projections/revenue_by_day.ts';
import { salesByProductProjection } from '../projections/sales_by_product.ts';
import { deliveryArb, liveDeliveries, logArb } from '../../tests/support/projectionArbitraries.ts';
import { orderCancelled, orderConfirmed, orderPlaced, stream } from '../../tests/support/projectionFixtures.ts';
import { createMemoryViews, foldInMemory, type MemoryViews } from './memoryViews.ts';

const sortedDocs = (m: MemoryViews) =>
  Object.fromEntries(m.projection.views.map((v) => [v.name, [...m.docs(v.name)].sort((a, b) => (String(a['_id']) < String(b['_id']) ? -1 : 1))]));

describe('in-memory fold of a projection', () => {
  it('order_detail: one doc per order at the stream head, history in order', () => {
    const placed = orderPlaced('o1', { lines: [{ sku: 'A', quantity: 2, unitPriceMinor: 500 }] });
    const m = foldInMemory(orderDetailProjection, stream('order-o1', [placed, { type: 'OrderStockReserved', data: { orderId: 'o1' } }, orderConfirmed('o1', 1000)]));
    expect(m.get('order_detail', 'o1')).toMatchObject({
      v: 3,
      status: 'confirmed',
      totalMinor: 1000,
      reservation: { status: 'reserved' },
      statusHistory: [{ status: 'placed' }, { status: 'confirmed' }],
    });
    expect(JSON.stringify(m.docs('order_detail'))).not.toContain('tok_secret');
  });

  it('a flushed document is not changed by later events (copy on write), and ids of different types never collide', () => {
    const m = createMemoryViews(orderDetailProjection);
    const events = stream('order-o1', [orderPlaced('o1'), { type: 'OrderStockReserved', data: { orderId: 'o1' } }]);
    m.project(events.slice(0, 1));
    const [flushed] = m.takeChanges();
    const before = JSON.stringify(flushed);
    m.project(events.slice(1));
    expect(JSON.stringify(flushed)).toBe(before);
    expect(m.get('order_detail', 'o1')).toMatchObject({ v: 2, reservation: { status: 'reserved' } });
    expect(m.takeChanges()[0]?.replaces).toEqual([expect.objectContaining({ _id: 'o1', v: 2 })]);
    for (const id of [1, '1', '\u0001j:1', '\u0001s:1', true]) m.apply([{ kind: 'insert', view: 'order_detail', doc: { _id: id, v: 1 } }]);
    expect(m.docs('order_detail').map((d) => d['_id'])).toEqual(['o1', 1, '1', '\u0001j:1', '\u0001s:1', true]);
    expect(m.get('order_detail', '\u0001j:1')).toEqual({ _id: '\u0001j:1', v: 1 });
  });

  it('exact-next guard: an event after a gap is skipped, as in the store', () => {
    const events = stream('inventory-S', [
      { type: 'StockRestocked', data: { sku: 'S', quantity: 5 } },
      { type: 'StockRestocked', data: { sku: 'S', quantity: 7 } },
      { type: 'StockRestocked', data: { sku: 'S', quantity: 11 } },
    ]);
    const m = foldInMemory(inventoryProjection, [events[0], events[2]].flatMap((e) => (e ? [e] : [])));
    expect(m.get('inventory', 'S')).toMatchObject({ v: 1, onHand: 5 });
    m.project(events);
    expect(m.get('inventory', 'S')).toMatchObject({ v: 3, onHand: 23, available: 23 });
  });

  it('revenue buckets: one base shard per bucket, cancellation refunds the confirmation day', () => {
    const m = foldInMemory(revenueByDayProjection, [
      ...stream('order-a', [orderPlaced('a'), orderConfirmed('a', 1000), orderCancelled('a', 1000, true)]),
      ...stream('order-b', [orderPlaced('b'), orderConfirmed('b', 250)]),
    ]);
    expect(m.docs('revenue_by_day')).toEqual([
      expect.objectContaining({ _id: '2024-03-01:EUR#base', shard: 'base', grossMinor: 1250, refundedMinor: 1000, netMinor: 250, orderCount: 2, cancelledCount: 1 }),
    ]);
  });

  it('sales: a confirmation adds the order\'s lines to their SKUs\' shards, a cancellation subtracts them', () => {
    const lines = [{ sku: 'A', quantity: 2, unitPriceMinor: 100 }, { sku: 'B', quantity: 1, unitPriceMinor: 300 }];
    const events = stream('order-x', [orderPlaced('x', { lines }), orderConfirmed('x', 500), orderCancelled('x', 500, true)]);
    const m = foldInMemory(salesByProductProjection, events.slice(0, 2));
    expect(m.get('sales_by_product', 'A:EUR#base')).toMatchObject({ unitsSold: 2, revenueMinor: 200 });
    // Listed in the shard of order-x's partition (orders.5 of 6), the one writer of that list document.
    expect(m.get('sales_recent', 'A#orders.5')).toMatchObject({ bucket: 'A', shard: 'orders.5', items: [{ id: 'x', units: 2 }] });
    m.project(events.slice(2));
    expect(m.get('sales_by_product', 'A:EUR#base')).toMatchObject({ unitsSold: 0, revenueMinor: 0 });
    expect(m.get('sales_recent', 'B#orders.5')).toMatchObject({ items: [] });
    expect(m.get('sales_orders', 'x')).toMatchObject({ counted: false, v: 3 });
  });

  it('takeChanges: new docs are inserts once, later changes are replaces, clean docs are left out', () => {
    const m = createMemoryViews(inventoryProjection);
    const events = stream('inventory-S', [
      { type: 'StockRestocked', data: { sku: 'S', quantity: 5 } },
      { type: 'StockRestocked', data: { sku: 'S', quantity: 7 } },
    ]);
    m.project(events.slice(0, 1));
    m.project(stream('inventory-T', [{ type: 'StockRestocked', data: { sku: 'T', quantity: 1 } }]));
    expect(m.takeChanges()).toEqual([{ view: 'inventory', inserts: [expect.objectContaining({ _id: 'S' }), expect.objectContaining({ _id: 'T' })], replaces: [] }]);
    m.project(events);
    expect(m.takeChanges()).toEqual([{ view: 'inventory', inserts: [], replaces: [expect.objectContaining({ _id: 'S', onHand: 12 })] }]);
    expect(m.takeChanges()).toEqual([]);
  });

  it.each(projections.map((p) => [p.name, p] as const))('%s: any at-least-once delivery folds to the once-in-order documents', (_, projection) => {
    fc.assert(
      fc.property(logArb, deliveryArb, (log, d) => {
        // Adds are guarded by log position (stamped as the replay does); the rest by stream version.
        const position = new Map(log.map((e, i) => [e.eventId, `1.${i + 1}`]));
        const fold = (events: readonly EventEnvelope[]) => {
          const m = createMemoryViews(projection);
          for (const e of events) if (projection.handles.includes(e.type)) m.apply(stampAdds(projection.project(e), { shard: 'base', position: position.get(e.eventId) ?? '' }));
          return m;
        };
        const once = fold(log);
        // One writer per shard sees its events in log order (redeliveries rewind, never skip ahead): a
        // delivery that starts mid-log belongs to a replay racing live, which sums never do (see README).
        const redelivered = fold([...liveDeliveries(log, projection.sharded ? { ...d, withReplay: false } : d), ...log]);
        expect(sortedDocs(redelivered)).toEqual(sortedDocs(once));
      }),
      { numRuns: 150 },
    );
  });
});
