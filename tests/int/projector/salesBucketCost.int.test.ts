import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { ensureIndexes, namesFor } from '../../../projector/mongo/generations.ts';
import { stampAdds } from '../../../projector/projections/index.ts';
import { SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT_VIEW, salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { createViewReader } from '../../../query-side/views/viewReader.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../support/projectionFixtures.ts';
import { countingMongo, type CountingMongo } from '../../support/countingMongo.ts';

const names = namesFor(1);
const projection = salesByProductProjection;
const at = (i: number) => new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString();

/**
 * The cost of a sales event must not depend on how many orders its SKU has ever sold. Two SKUs are
 * seeded directly (1,000 and 100,000 counted orders: their order documents, a rebuilt base shard and
 * a recent list), then one batch per SKU — a new order placed and confirmed, and an old, unlisted one
 * cancelled — goes through the live adapter (`applyOps`), counting the commands the driver sends.
 */
describe('sales_by_product: constant store work per batch whatever the SKU holds (real FerretDB)', () => {
  let mongo: CountingMongo;
  let db: Db;
  beforeAll(async () => {
    mongo = await countingMongo('t_salescost');
    db = mongo.db;
    await ensureIndexes(db, projection, 1);
    for (const [sku, n] of [['SMALL', 1_000], ['LARGE', 100_000]] as const) {
      const order = (i: number) => ({
        _id: `${sku}-o${i}`, skus: [sku], lines: [{ sku, units: 1, revenueMinor: 100 }], currency: 'EUR', counted: true, countedAt: at(i), v: 4,
      });
      for (let i = 0; i < n; i += 10_000) {
        await db.collection(names(SALES_ORDERS_VIEW)).insertMany(Array.from({ length: Math.min(10_000, n - i) }, (_, k) => order(i + k)) as never[], { ordered: false });
      }
      await db.collection(names(SALES_BY_PRODUCT_VIEW)).insertOne({ _id: `${sku}:EUR#base` as never, sku, currency: 'EUR', shard: 'base', pos: '100.1', unitsSold: n, revenueMinor: 100 * n });
      const items = Array.from({ length: 10 }, (_, k) => ({ id: `${sku}-o${n - 1 - k}`, at: at(n - 1 - k), units: 1 }));
      await db.collection(names(SALES_RECENT_VIEW)).insertOne({ _id: sku as never, items });
    }
  }, 300_000);
  afterAll(() => mongo?.close());

  /** Store commands for one batch of `sku`: order `n` placed and confirmed (the newest), order 0 (long off the list) cancelled. */
  async function batchOf(sku: string, n: number): Promise<number> {
    const id = `${sku}-o${n}`;
    const ops = [
      ...projection.project(envelope(orderPlaced(id, { lines: [{ sku, quantity: 2, unitPriceMinor: 150 }] }), `order-${id}`, 1)),
      ...stampAdds(projection.project(envelope(orderConfirmed(id, 300, at(n)), `order-${id}`, 4)), { shard: 'orders.0', position: '200.1' }),
      ...stampAdds(projection.project(envelope(orderCancelled(`${sku}-o0`, 100, true), `order-${sku}-o0`, 6)), { shard: 'orders.0', position: '200.2' }),
    ];
    const before = mongo.commands();
    await applyOps(db, names, ops, projection.buckets, projection.sharded, { ranked: projection.ranked });
    return mongo.commands() - before;
  }

  it('the 100,000th order of a SKU costs the same store round trips as the 1,000th; reads sum shards and show the list', async () => {
    await batchOf('WARM', 1); // the once-per-generation hand-over check
    const small = await batchOf('SMALL', 1_000);
    const large = await batchOf('LARGE', 100_000);
    expect(large).toBe(small);
    // Order docs: the new one read + inserted (placed and confirmed folded), the cancelled one's guarded
    // update; both read back for their lines (2); one shard: it and its base read (2), 1 write; the list:
    // 1 read, 1 write.
    expect(small).toBeLessThanOrEqual(10);
    const views = createViewReader(db);
    const [s, l] = await views.sales(['SMALL', 'LARGE']);
    expect([s?.unitsSold, l?.unitsSold]).toEqual([1_000 + 2 - 1, 100_000 + 2 - 1]);
    expect(l?.revenue).toEqual([{ currency: 'EUR', amountMinor: 100 * 100_000 + 300 - 100 }]);
    expect(l?.recentOrders.map((o) => o.orderId).slice(0, 3)).toEqual(['LARGE-o100000', 'LARGE-o99999', 'LARGE-o99998']);
    expect(l?.recentOrders).toHaveLength(10);
    expect(l?.recentOrders[0]).toEqual({ orderId: 'LARGE-o100000', units: 2, at: at(100_000) });
    // Redelivered: guards add nothing, at no more cost.
    expect(await batchOf('LARGE', 100_000)).toBeLessThanOrEqual(small);
    expect((await views.sales(['LARGE']))[0]?.unitsSold).toBe(100_001);
  }, 120_000);
});
