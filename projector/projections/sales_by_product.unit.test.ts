import { describe, expect, it } from 'vitest';
import {
  projectSalesByProduct,
  recomputeBucket,
  SALES_BY_PRODUCT_VIEW,
  SALES_ENTRIES_VIEW,
  salesBuckets,
  type SalesEntry,
} from './sales_by_product.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;

describe('sales_by_product projection', () => {
  it('OrderPlaced: one uncounted absolute entry per SKU (duplicate SKUs merged), each then recomputed', () => {
    const placed = orderPlaced(ID, {
      currency: 'USD',
      lines: [
        { sku: 'A', quantity: 2, unitPriceMinor: 100 },
        { sku: 'B', quantity: 1, unitPriceMinor: 7 },
        { sku: 'A', quantity: 1, unitPriceMinor: 90 },
      ],
    });
    const ops = projectSalesByProduct(envelope(placed, S, 1));
    expect(ops).toEqual([
      {
        kind: 'update',
        view: SALES_ENTRIES_VIEW,
        filter: { _id: `${ID}:A`, v: { $lt: 1 } },
        update: {
          $set: {
            orderId: ID,
            sku: 'A',
            units: 3,
            revenueMinor: 290,
            currency: 'USD',
            placedAt: '2024-03-01T12:00:00.000Z',
            counted: false,
            countedAt: null,
            v: 1,
          },
        },
        upsert: true,
      },
      { kind: 'recompute', view: SALES_BY_PRODUCT_VIEW, key: { sku: 'A' } },
      expect.objectContaining({ filter: { _id: `${ID}:B`, v: { $lt: 1 } }, upsert: true }),
      { kind: 'recompute', view: SALES_BY_PRODUCT_VIEW, key: { sku: 'B' } },
    ]);
  });

  it('OrderConfirmed: counts every entry of the order, then recomputes their buckets', () => {
    expect(projectSalesByProduct(envelope(orderConfirmed(ID, 297, '2024-03-01T14:00:00+01:00'), S, 4))).toEqual([
      {
        kind: 'update',
        view: SALES_ENTRIES_VIEW,
        filter: { orderId: ID, v: { $lt: 4 } },
        update: { $set: { counted: true, countedAt: '2024-03-01T13:00:00.000Z', v: 4 } },
        many: true,
      },
      { kind: 'recomputeFromEntries', view: SALES_BY_PRODUCT_VIEW, entries: { orderId: ID } },
    ]);
  });

  it('OrderCancelled(wasConfirmed) and OrderRejected uncount; early cancellation is a no-op', () => {
    const uncount = { $set: { counted: false, countedAt: null, v: 6 } };
    expect(projectSalesByProduct(envelope(orderCancelled(ID, 297, true), S, 6))[0]).toMatchObject({ update: uncount, many: true });
    const rejected = envelope({ type: 'OrderRejected', data: { orderId: ID, customerId: 'c', reason: 'x', rejectedAt: '2024-03-01T12:01:00Z' } }, S, 6);
    expect(projectSalesByProduct(rejected)[0]).toMatchObject({ update: uncount });
    expect(projectSalesByProduct(envelope(orderCancelled(ID, 297, false), S, 2))).toEqual([]);
  });
});

describe('sales buckets', () => {
  const entry = (orderId: string, over: Partial<SalesEntry> = {}): SalesEntry => ({
    _id: `${orderId}:A`,
    orderId,
    sku: 'A',
    units: 1,
    revenueMinor: 100,
    currency: 'EUR',
    placedAt: '2024-03-01T12:00:00.000Z',
    counted: true,
    countedAt: '2024-03-01T12:05:00.000Z',
    v: 4,
    ...over,
  });

  it('sums counted entries per currency; revision covers uncounted entries too', () => {
    const r = recomputeBucket({ sku: 'A' }, [
      entry('o1', { units: 2, revenueMinor: 200 }),
      entry('o2', { currency: 'USD', revenueMinor: 30 }),
      entry('o3', { counted: false, countedAt: null, v: 1 }),
      entry('o4', { sku: 'B', v: 100 }),
    ]);
    expect(r.revision).toBe(9);
    expect(r.doc).toMatchObject({
      _id: 'A',
      sku: 'A',
      unitsSold: 3,
      revenue: [
        { currency: 'EUR', amountMinor: 200 },
        { currency: 'USD', amountMinor: 30 },
      ],
      revision: 9,
    });
  });

  it('lists the last 10 counted orders, newest first, independent of entry order', () => {
    const entries = Array.from({ length: 12 }, (_, i) =>
      entry(`o${String(i).padStart(2, '0')}`, { countedAt: `2024-03-01T12:${String(i).padStart(2, '0')}:00.000Z` }),
    );
    const a = recomputeBucket({ sku: 'A' }, entries);
    const b = recomputeBucket({ sku: 'A' }, [...entries].reverse());
    expect(a).toEqual(b);
    expect(a.doc.recentOrders).toHaveLength(10);
    expect(a.doc.recentOrders[0]).toEqual({ orderId: 'o11', units: 1, at: '2024-03-01T12:11:00.000Z' });
    expect(a.doc.recentOrders[9]?.orderId).toBe('o02');
  });

  it('exposes entry filter and key of entry to the adapter', () => {
    expect(salesBuckets.entryFilter({ sku: 'A' })).toEqual({ sku: 'A' });
    expect(salesBuckets.keyOfEntry({ ...entry('o1') })).toEqual({ sku: 'A' });
  });
});
