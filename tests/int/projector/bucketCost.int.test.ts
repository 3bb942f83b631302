import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { ensureIndexes, namesFor } from '../../../projector/mongo/generations.ts';
import { revenueBucketsOf, revenueByDayProjection, REVENUE_BY_DAY_VIEW } from '../../../projector/projections/revenue_by_day.ts';
import { revenueBatch, seedRevenueDay } from '../../support/bucketSeeds.ts';
import { countingMongo, type CountingMongo } from '../../support/countingMongo.ts';

const names = namesFor(1);
const projection = revenueByDayProjection;

/**
 * The cost of a revenue event must not depend on how many orders its day already holds. The bucket
 * state of two days is seeded directly (1,000 and 100,000 confirmed orders: entries and a rebuilt
 * base shard), then one batch — a new order confirmed that day and an older one cancelled — goes
 * through the live adapter (`applyOps`, what the projector runs), counting the commands the driver sends.
 */
describe('revenue_by_day: constant store work per batch whatever the bucket holds (real FerretDB)', () => {
  let mongo: CountingMongo;
  let db: Db;
  beforeAll(async () => {
    mongo = await countingMongo('t_bucketcost');
    db = mongo.db;
    await ensureIndexes(db, projection, 1);
    for (const [day, n] of [['2024-05-01', 1_000], ['2024-05-02', 100_000]] as const) await seedRevenueDay(db, names, day, n);
  }, 300_000);
  afterAll(() => mongo?.close());

  /** Store commands for one batch on `day`: the `n`-th order confirmed, order 0 of that day cancelled. */
  async function batchOn(day: string, n: number): Promise<number> {
    const ops = revenueBatch(day, n);
    const before = mongo.commands();
    await applyOps(db, names, ops, projection.buckets, projection.sharded);
    return mongo.commands() - before;
  }

  it('the 100,000th order of a day costs the same store round trips as the 1,000th', async () => {
    await batchOn('2024-05-03', 1); // warm: the once-per-generation hand-over check
    const small = await batchOn('2024-05-01', 1_000);
    const large = await batchOn('2024-05-02', 100_000);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(6); // 2 entry writes, 1 entry lookup, 2 shard reads, 1 shard write
    const buckets = revenueBucketsOf(await db.collection(names(REVENUE_BY_DAY_VIEW)).find({ day: { $in: ['2024-05-01', '2024-05-02'] } }).sort({ day: 1 }).toArray());
    expect(buckets.map((b) => [b.day, b.orderCount, b.grossMinor, b.refundedMinor, b.netMinor, b.cancelledCount])).toEqual([
      ['2024-05-01', 1_001, 100_250, 100, 100_150, 1],
      ['2024-05-02', 100_001, 10_000_250, 100, 10_000_150, 1],
    ]);
    // Redelivered: the position guard adds nothing, at a constant cost. A refused (duplicate-key)
    // command is re-sent one statement at a time (FerretDB 1.x drops the statements after a failing
    // one, coalescedWrites.ts), so a redelivery may cost a command or two more, never more with size.
    const redeliveredLarge = await batchOn('2024-05-02', 100_000);
    const redeliveredSmall = await batchOn('2024-05-01', 1_000);
    expect(redeliveredLarge).toBe(redeliveredSmall);
    expect(redeliveredLarge).toBeLessThanOrEqual(small + 2);
    const again = revenueBucketsOf(await db.collection(names(REVENUE_BY_DAY_VIEW)).find({ day: '2024-05-02' }).toArray());
    expect(again[0]?.orderCount).toBe(100_001);
  }, 120_000);
});
