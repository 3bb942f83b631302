import os from 'node:os';
import { MongoClient, type Db } from 'mongodb';
import { applyOps } from '../../projector/mongo/applyOps.ts';
import { storeCommandsSoFar } from '../../projector/mongo/commandMetrics.ts';
import { ensureIndexes, namesFor } from '../../projector/mongo/generations.ts';
import type { Projection, WriteOp } from '../../projector/projections/index.ts';
import { revenueByDayProjection } from '../../projector/projections/revenue_by_day.ts';
import { salesByProductProjection } from '../../projector/projections/sales_by_product.ts';
import { revenueBatch, salesBatch, seedRevenueDay, seedSalesSku } from '../../tests/support/bucketSeeds.ts';
import { mongoConnectionUrl, uniqueId } from '../../tests/support/isolation.ts';
import { round, roundSummary, summarize } from '../stats.ts';
import { now } from '../lib/clock.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const SMALL = 1_000;
const LARGE = 100_000;
const RATIO_LIMIT = 1.2;
/** Events one batch stands for: a confirmation and a cancellation. */
const EVENTS_PER_BATCH = 2;

interface View {
  projection: Projection;
  /** Bucket key of a seeded bucket of `n` orders. */
  key: (n: number) => string;
  /** An empty bucket (the warm-up batch). */
  warm: string;
  seed: (db: Db, key: string, n: number) => Promise<void>;
  batch: (key: string, n: number, old: number, seq: number) => WriteOp[];
}

const VIEWS: View[] = [
  { projection: revenueByDayProjection, key: (n) => (n === SMALL ? '2024-05-01' : '2024-05-02'), warm: '2024-05-03', seed: (db, k, n) => seedRevenueDay(db, namesFor(1), k, n), batch: revenueBatch },
  { projection: salesByProductProjection, key: (n) => (n === SMALL ? 'SMALL' : 'LARGE'), warm: 'WARM', seed: (db, k, n) => seedSalesSku(db, namesFor(1), k, n), batch: salesBatch },
];

/**
 * Scenario: the cost of a multi-stream view event whatever its bucket holds. For `revenue_by_day`
 * (a day) and `sales_by_product` (a SKU), two buckets are seeded as a rebuild leaves them, with
 * 1,000 and 100,000 orders; then batches (the next order confirmed, an old one cancelled) go through
 * the live adapter (`applyOps`), alternating between the two buckets so both see the same load. The
 * figure is the median time per event at each size and their ratio (≤ 1.2), with the store commands
 * per batch from `orderflow_projector_store_commands_total`.
 */
export const bucketCostScenario: Scenario = async ({ quick, log }) => {
  const figures: Figure[] = [];
  const batches = quick ? 10 : 40;
  const client = new MongoClient(mongoConnectionUrl);
  await client.connect();
  const db = client.db(uniqueId('bench_bucketcost'));
  try {
    for (const view of VIEWS) {
      const p = view.projection;
      log(`  ${p.name}: seeding buckets of ${SMALL} and ${LARGE} orders`);
      await ensureIndexes(db, p, 1);
      for (const n of [SMALL, LARGE]) await view.seed(db, view.key(n), n);
      const apply = (ops: WriteOp[]) => applyOps(db, namesFor(1), ops, p.buckets, p.sharded, { ranked: p.ranked });
      await apply(view.batch(view.warm, 1, 0, 0)); // the once-per-generation hand-over check
      const ms: Record<number, number[]> = { [SMALL]: [], [LARGE]: [] };
      const commands: Record<number, number> = { [SMALL]: 0, [LARGE]: 0 };
      for (let i = 0; i < batches; i++) {
        for (const n of i % 2 === 0 ? [SMALL, LARGE] : [LARGE, SMALL]) {
          const ops = view.batch(view.key(n), n + i, i + 1, i + 1);
          const c0 = await storeCommandsSoFar();
          const t0 = now();
          await apply(ops);
          ms[n]?.push((now() - t0) / EVENTS_PER_BATCH);
          commands[n] = (commands[n] ?? 0) + (await storeCommandsSoFar()) - c0;
        }
      }
      const small = summarize(ms[SMALL] ?? []);
      const large = summarize(ms[LARGE] ?? []);
      if (!small || !large) continue;
      const r = large.p50 / small.p50;
      log(`  ${p.name}: ${round(small.p50)} ms/event at ${SMALL}, ${round(large.p50)} ms/event at ${LARGE} (×${round(r)})`);
      figures.push({
        name: `${p.name}: time per event, ${LARGE.toLocaleString('en')}th order of a bucket`, value: round(large.p50), unit: 'ms',
        latency: roundSummary(large), baselineLatency: roundSummary(small),
        baseline: { what: `${SMALL.toLocaleString('en')}th order of a bucket, same run (alternating batches)`, value: round(small.p50), unit: 'ms' },
        ratio: round(r),
        target: { text: `ratio ≤ ${RATIO_LIMIT}`, met: r <= RATIO_LIMIT, ...(r > RATIO_LIMIT && { reason: `both buckets share the same collections and send the same store commands per batch (notes); the gap is the shared box (load ${round(os.loadavg()[0] ?? 0)} on 2 cores) over ${batches} batches` }) },
        notes: [`${batches} batches per size, each a confirmation and a cancellation (${EVENTS_PER_BATCH} events); store commands per batch: ${round((commands[SMALL] ?? 0) / batches)} at ${SMALL}, ${round((commands[LARGE] ?? 0) / batches)} at ${LARGE}`],
      });
    }
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  return {
    id: 'bucketCost', title: 'Bucket cost: a multi-stream view event at the 1,000th vs the 100,000th order of its bucket', figures,
    notes: ['buckets seeded directly (entries or order documents, a base shard, the recent list), batches through applyOps, the live projector\'s adapter, on the shared FerretDB'],
  };
};
