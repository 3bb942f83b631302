import { describe, expect, it } from 'vitest';
import { foldInMemory } from '../memory/memoryViews.ts';
import { rerank, resolveAdds, stampAdds, type AddOp, type RankItem } from './projection.ts';
import {
  projectSalesByProduct, RECENT_ORDERS, SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT, SALES_RECENT_VIEW, SALES_SHARDS,
  salesBucketOf, salesByProductProjection,
} from './sales_by_product.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced, stream } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;
const lines = [
  { sku: 'A', quantity: 2, unitPriceMinor: 100 },
  { sku: 'B', quantity: 1, unitPriceMinor: 7 },
  { sku: 'A', quantity: 1, unitPriceMinor: 90 },
];

describe('sales_by_product projection', () => {
  it('OrderPlaced: one uncounted order document, lines merged per SKU; nothing read or added', () => {
    expect(projectSalesByProduct(envelope(orderPlaced(ID, { currency: 'USD', lines }), S, 1))).toEqual([
      {
        kind: 'update', view: SALES_ORDERS_VIEW, filter: { _id: ID, v: { $lt: 1 } }, upsert: true,
        update: { $set: { skus: ['A', 'B'], lines: [{ sku: 'A', units: 3, revenueMinor: 290 }, { sku: 'B', units: 1, revenueMinor: 7 }], currency: 'USD', counted: false, countedAt: null, v: 1 } },
      },
    ]);
  });

  it('OrderConfirmed: counts the order, adds its lines through the order document, re-ranks it', () => {
    expect(projectSalesByProduct(envelope(orderConfirmed(ID, 297, '2024-03-01T14:00:00+01:00'), S, 4))).toEqual([
      { kind: 'update', view: SALES_ORDERS_VIEW, filter: { _id: ID, v: { $lt: 4 } }, update: { $set: { counted: true, countedAt: '2024-03-01T13:00:00.000Z', v: 4 } } },
      { kind: 'add', view: SALES_BY_PRODUCT_VIEW, key: {}, via: { view: SALES_ORDERS_VIEW, id: ID, fields: ['currency'] }, add: { unitsSold: 1, revenueMinor: 1 } },
      { kind: 'rank', view: SALES_RECENT_VIEW, member: ID },
    ]);
  });

  it('OrderCancelled after confirmation subtracts; before confirmation (and OrderRejected) changes nothing', () => {
    const ops = projectSalesByProduct(envelope(orderCancelled(ID, 297, true), S, 6));
    expect(ops[0]).toMatchObject({ update: { $set: { counted: false, countedAt: null, v: 6 } } });
    expect(ops[1]).toMatchObject({ kind: 'add', add: { unitsSold: -1, revenueMinor: -1 } });
    expect(projectSalesByProduct(envelope(orderCancelled(ID, 297, false), S, 2))).toEqual([]);
    const rejected = envelope({ type: 'OrderRejected', data: { orderId: ID, customerId: 'c', reason: 'x', rejectedAt: '2024-03-01T12:01:00Z' } }, S, 6);
    expect(projectSalesByProduct(rejected)).toEqual([]);
  });

  it('an add lands once per line of the order, in its (sku, currency) bucket, signed', () => {
    const op = projectSalesByProduct(envelope(orderCancelled(ID, 297, true), S, 6))[1] as AddOp;
    const order = { _id: ID, currency: 'USD', lines: [{ sku: 'A', units: 3, revenueMinor: 290 }, { sku: 'B', units: 1, revenueMinor: 7 }] };
    expect(resolveAdds(SALES_SHARDS, op, order)).toEqual([
      { key: { currency: 'USD', sku: 'A' }, add: { unitsSold: -3, revenueMinor: -290 } },
      { key: { currency: 'USD', sku: 'B' }, add: { unitsSold: -1, revenueMinor: -7 } },
    ]);
    expect(resolveAdds(SALES_SHARDS, op, null)).toEqual([]);
  });
});

describe('recent orders: exact top 10 at constant cost', () => {
  const item = (i: number): RankItem => ({ id: `o${String(i).padStart(3, '0')}`, at: `2024-03-01T12:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}.000Z`, units: 1 });

  it('keeps the newest 10, newest first, ties broken by id', () => {
    const touched = new Map(Array.from({ length: 12 }, (_, i) => [item(i).id, item(i)] as const));
    const { items, refill } = rerank([], touched, 10);
    expect(refill).toBe(false);
    expect(items.map((it) => it.id)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => item(i).id));
  });

  it('an older member joining a full list changes nothing; a newer one pushes the oldest out', () => {
    const full = Array.from({ length: 10 }, (_, i) => item(20 - i));
    expect(rerank(full, new Map([[item(1).id, item(1)]]), 10)).toEqual({ items: full, refill: false });
    expect(rerank(full, new Map([[item(30).id, item(30)]]), 10).items.map((it) => it.id)).toEqual([item(30), ...full.slice(0, 9)].map((it) => it.id));
  });

  it('a listed member leaving a full list asks for a refill (unlisted members may rank right below), a short list never', () => {
    const full = Array.from({ length: 10 }, (_, i) => item(20 - i));
    expect(rerank(full, new Map([[item(15).id, null]]), 10).refill).toBe(true);
    // Leaving, while a newer one joins: the newer one ranks above the cut, so the list is known whole.
    expect(rerank(full, new Map([[item(15).id, null], [item(40).id, item(40)]]), 10).refill).toBe(false);
    // Leaving, while an OLDER one joins: members between it and the cut may be unlisted.
    expect(rerank(full, new Map([[item(15).id, null], [item(2).id, item(2)]]), 10).refill).toBe(true);
    expect(rerank(full.slice(0, 5), new Map([[item(15).id, null]]), 10)).toEqual({ items: full.slice(0, 5).filter((it) => it.id !== item(15).id), refill: false });
    // Not listed: nothing to do.
    expect(rerank(full, new Map([[item(1).id, null]]), 10)).toEqual({ items: full, refill: false });
  });

  it('the in-memory fold lists the right orders after cancellations of listed ones (the refill)', () => {
    const envs = Array.from({ length: 15 }, (_, i) => {
      const id = `o${String(i).padStart(2, '0')}`;
      const events = [orderPlaced(id, { lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 10 }] }), orderConfirmed(id, 10, `2024-03-01T12:${String(i).padStart(2, '0')}:00.000Z`)];
      return stream(`order-${id}`, i >= 10 ? [...events, orderCancelled(id, 10, true)] : events);
    }).flat();
    const m = foldInMemory(salesByProductProjection, envs);
    const bucket = salesBucketOf('A', m.docs(SALES_BY_PRODUCT_VIEW), m.docs(SALES_RECENT_VIEW));
    expect(bucket?.unitsSold).toBe(10);
    expect(bucket?.recentOrders.map((o) => o.orderId)).toEqual(['o09', 'o08', 'o07', 'o06', 'o05', 'o04', 'o03', 'o02', 'o01', 'o00']);
    expect(RECENT_ORDERS).toBe(SALES_RECENT.size);
  });

  it('salesBucketOf merges the list shards of its SKU: newest first, ten at most, a member once', () => {
    const at = (m: number) => `2024-03-01T12:${String(m).padStart(2, '0')}:00.000Z`;
    const list = (shard: string, ms: number[], sku = 'A') => ({ _id: `${sku}#${shard}`, bucket: sku, shard, items: ms.map((m) => ({ id: `o${m}`, at: at(m), units: 1 })) });
    const lists = [list('orders.0', [30, 20, 10, 8, 6, 4, 2, 1, 0, 3]), list('orders.1', [29, 19, 9, 7, 5, 30]), list('orders.0', [59, 58], 'B')];
    expect(salesBucketOf('A', [], lists)?.recentOrders.map((o) => o.orderId)).toEqual(['o30', 'o29', 'o20', 'o19', 'o10', 'o9', 'o8', 'o7', 'o6', 'o5']);
  });

  it('salesBucketOf sums shards per currency and over currencies for units', () => {
    const shards = [
      { sku: 'A', currency: 'EUR', shard: 'base', pos: '1', unitsSold: 2, revenueMinor: 200 },
      { sku: 'A', currency: 'EUR', shard: 'orders.1', pos: '2', unitsSold: 1, revenueMinor: 100 },
      { sku: 'A', currency: 'USD', shard: 'orders.2', pos: '3', unitsSold: 1, revenueMinor: 30 },
    ];
    expect(salesBucketOf('A', shards, [{ _id: 'A#orders.0', bucket: 'A', shard: 'orders.0', items: [{ id: 'o1', at: '2024-03-01T12:00:00.000Z', units: 2 }] }])).toEqual({
      _id: 'A', sku: 'A', unitsSold: 4,
      revenue: [{ currency: 'EUR', amountMinor: 300 }, { currency: 'USD', amountMinor: 30 }],
      recentOrders: [{ orderId: 'o1', units: 2, at: '2024-03-01T12:00:00.000Z' }],
    });
    expect(salesBucketOf('Z', [], [])).toBeUndefined();
    expect(stampAdds([], { shard: 'base', position: '1' })).toEqual([]);
  });
});
