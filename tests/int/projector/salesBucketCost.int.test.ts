import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { ensureIndexes, namesFor } from '../../../projector/mongo/generations.ts';
import { salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { createViewReader } from '../../../query-side/views/viewReader.ts';
import { salesAt, salesBatch, salesShardOf, seedSalesSku } from '../../support/bucketSeeds.ts';
import { countingMongo, type CountingMongo } from '../../support/countingMongo.ts';

const names = namesFor(1);
const projection = salesByProductProjection;

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
    for (const [sku, n] of [['SMALL', 1_000], ['LARGE', 100_000]] as const) await seedSalesSku(db, names, sku, n);
  }, 300_000);
  afterAll(() => mongo?.close());

  /**
   * Store commands for one batch of `sku`: order `n` placed and confirmed (the newest), an old order
   * (long off the lists) of the same list shard cancelled, so both SKUs' batches touch one list.
   */
  async function batchOf(sku: string, n: number): Promise<number> {
    let old = 0;
    while (salesShardOf(sku, old) !== salesShardOf(sku, n)) old++;
    const ops = salesBatch(sku, n, old);
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
    // update; both read back for their lines (2); one shard: it and its base read (2), 1 write; their
    // list shard (the partition of both orders): 1 read, 1 write.
    expect(small).toBeLessThanOrEqual(10);
    const views = createViewReader(db);
    const [s, l] = await views.sales(['SMALL', 'LARGE']);
    expect([s?.unitsSold, l?.unitsSold]).toEqual([1_000 + 2 - 1, 100_000 + 2 - 1]);
    expect(l?.revenue).toEqual([{ currency: 'EUR', amountMinor: 100 * 100_000 + 300 - 100 }]);
    expect(l?.recentOrders.map((o) => o.orderId).slice(0, 3)).toEqual(['LARGE-o100000', 'LARGE-o99999', 'LARGE-o99998']);
    expect(l?.recentOrders).toHaveLength(10);
    expect(l?.recentOrders[0]).toEqual({ orderId: 'LARGE-o100000', units: 2, at: salesAt(100_000) });
    // Redelivered: guards add nothing, at no more cost.
    expect(await batchOf('LARGE', 100_000)).toBeLessThanOrEqual(small);
    expect((await views.sales(['LARGE']))[0]?.unitsSold).toBe(100_001);
  }, 120_000);
});
