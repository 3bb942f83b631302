import type { Db } from 'mongodb';
import type { ViewNames } from '../../projector/mongo/generations.ts';
import { stampAdds, type WriteOp } from '../../projector/projections/index.ts';
import { projectRevenueByDay, REVENUE_BY_DAY_VIEW, REVENUE_ENTRIES_VIEW } from '../../projector/projections/revenue_by_day.ts';
import { SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT, SALES_RECENT_VIEW, salesByProductProjection } from '../../projector/projections/sales_by_product.ts';
import { rankShardOf } from '../../projector/runner/liveShard.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from './projectionFixtures.ts';

/**
 * Big buckets seeded straight into the views (as a rebuild leaves them: entries or order documents,
 * a `base` shard with their sums), and the ops of one live batch on them, for the tests and the
 * bench that show a batch costs the same whatever its bucket holds.
 */

const CHUNK = 10_000;

async function insertAll(db: Db, collection: string, n: number, doc: (i: number) => Record<string, unknown>): Promise<void> {
  for (let i = 0; i < n; i += CHUNK) {
    await db.collection(collection).insertMany(Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => doc(i + k)) as never[], { ordered: false });
  }
}

/** `n` confirmed orders of 100 EUR on `day` (ids `${day}-o${i}`): their entries and a base shard. */
export async function seedRevenueDay(db: Db, names: ViewNames, day: string, n: number): Promise<void> {
  await insertAll(db, names(REVENUE_ENTRIES_VIEW), n, (i) => ({
    _id: `${day}-o${i}`, orderId: `${day}-o${i}`, day, currency: 'EUR', grossMinor: 100, refundedMinor: 0, netMinor: 100, orderCount: 1, cancelledCount: 0, v: 4,
  }));
  await db.collection(names(REVENUE_BY_DAY_VIEW)).insertOne({
    _id: `${day}:EUR#base` as never, day, currency: 'EUR', shard: 'base', pos: '100.1', grossMinor: 100 * n, refundedMinor: 0, netMinor: 100 * n, orderCount: n, cancelledCount: 0,
  });
}

/** One revenue batch on `day`: order `n` confirmed (250), order `old` cancelled; positions after `seq`. */
export function revenueBatch(day: string, n: number, old = 0, seq = 0): WriteOp[] {
  return [
    ...stampAdds(projectRevenueByDay(envelope(orderConfirmed(`${day}-o${n}`, 250, `${day}T12:00:00Z`), `order-${day}-o${n}`, 4)), { shard: 'orders.0', position: `${200 + seq}.1` }),
    ...stampAdds(projectRevenueByDay(envelope(orderCancelled(`${day}-o${old}`, 100, true), `order-${day}-o${old}`, 6)), { shard: 'orders.0', position: `${200 + seq}.2` }),
  ];
}

/** Time of the `i`-th seeded sales order (one a second from 2024-05-01). */
export const salesAt = (i: number): string => new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString();

/** The list shard (of `partitions`, the adapter's default 6) that ranks seeded order `i` of `sku`. */
export const salesShardOf = (sku: string, i: number, partitions = 6): string => rankShardOf(SALES_RECENT, `${sku}-o${i}`, partitions);

/** `n` counted orders of one unit (100 EUR) of `sku` (ids `${sku}-o${i}`): order documents, a base shard, the recent list of each writer. */
export async function seedSalesSku(db: Db, names: ViewNames, sku: string, n: number): Promise<void> {
  await insertAll(db, names(SALES_ORDERS_VIEW), n, (i) => ({
    _id: `${sku}-o${i}`, skus: [sku], lines: [{ sku, units: 1, revenueMinor: 100 }], currency: 'EUR', counted: true, countedAt: salesAt(i), v: 4,
  }));
  await db.collection(names(SALES_BY_PRODUCT_VIEW)).insertOne({ _id: `${sku}:EUR#base` as never, sku, currency: 'EUR', shard: 'base', pos: '100.1', unitsSold: n, revenueMinor: 100 * n });
  // Per list shard, its ten newest orders: newest first, each order in the shard of its stream's partition.
  const lists = new Map<string, { id: string; at: string; units: number }[]>();
  for (let i = n - 1; i >= 0; i--) {
    const shard = salesShardOf(sku, i);
    const items = lists.get(shard) ?? [];
    if (items.length < 10) items.push({ id: `${sku}-o${i}`, at: salesAt(i), units: 1 });
    lists.set(shard, items);
  }
  await db.collection(names(SALES_RECENT_VIEW)).insertMany([...lists].map(([shard, items]) => ({ _id: `${sku}#${shard}` as never, bucket: sku, shard, items })));
}

/** One sales batch of `sku`: order `n` placed (2 × 150) and confirmed (the newest), order `old` (long off the list) cancelled. */
export function salesBatch(sku: string, n: number, old = 0, seq = 0): WriteOp[] {
  const p = salesByProductProjection;
  const id = `${sku}-o${n}`;
  return [
    ...p.project(envelope(orderPlaced(id, { lines: [{ sku, quantity: 2, unitPriceMinor: 150 }] }), `order-${id}`, 1)),
    ...stampAdds(p.project(envelope(orderConfirmed(id, 300, salesAt(n)), `order-${id}`, 4)), { shard: 'orders.0', position: `${200 + seq}.1` }),
    ...stampAdds(p.project(envelope(orderCancelled(`${sku}-o${old}`, 100, true), `order-${sku}-o${old}`, 6)), { shard: 'orders.0', position: `${200 + seq}.2` }),
  ];
}
