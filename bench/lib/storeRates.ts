import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';

/** A view-shaped document keyed by a string `_id`, as the views are. */
type ViewDoc = Document & { _id: string; v: number };
import { mongoConnectionUrl, uniqueId } from '../../tests/support/isolation.ts';
import { ratePerSecond, round, roundSummary, summarize, type Summary } from '../stats.ts';
import { closedLoop } from './load.ts';
import type { Figure } from './types.ts';

/** The view store's raw rates in this run: the baselines of every read-side figure. */
export interface StoreRates {
  /** `findOne({ _id })` per second at `concurrency`. */
  findOne: { rate: number; latency: Summary | undefined; concurrency: number };
  /** Version-guarded `updateOne({ _id, v }, { $set, $inc: { v: 1 } })` per second at `concurrency`. */
  guardedUpdate: { rate: number; latency: Summary | undefined; concurrency: number };
  /** Documents per second through `insertMany` in chunks of `chunk`. */
  insertMany: { docsPerSecond: number; chunk: number };
}

/** A document shaped like an order_detail view document (~1 KB). */
function viewDoc(i: number): ViewDoc {
  return {
    _id: `store-rate-${i}`, v: 1, customerId: `cust-${i % 50}`, status: 'placed', currency: 'EUR', totalMinor: 2500 + i,
    lines: [{ sku: 'BENCH-MUG', quantity: 2, unitPriceMinor: 1250, lineTotalMinor: 2500 }],
    shippingAddress: { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
    statusHistory: [{ status: 'placed', at: new Date().toISOString() }], note: randomUUID().repeat(8),
  };
}

/**
 * Measures the view store (the MongoDB-wire server the views live on) with the official driver, in a
 * scratch database dropped afterwards: `findOne` by `_id` and version-guarded `updateOne` at
 * `concurrency` clients, and `insertMany` of fresh documents. Same machine, same run as the figure it is
 * a baseline of. `seconds` per measured window (after a short warm-up).
 */
export async function measureStoreRates(opts: { concurrency: number; seconds: number; docs?: number }): Promise<StoreRates> {
  const client = new MongoClient(mongoConnectionUrl, { maxPoolSize: Math.max(opts.concurrency, 8) });
  await client.connect();
  const db = client.db(uniqueId('bench_store'));
  try {
    const n = opts.docs ?? 2000;
    const chunk = 500;
    const inserted: Collection<ViewDoc> = db.collection<ViewDoc>('insert_rate');
    const insertStart = performance.now();
    for (let i = 0; i < n; i += chunk) await inserted.insertMany(Array.from({ length: Math.min(chunk, n - i) }, (_, k) => viewDoc(i + k)), { ordered: false });
    const docsPerSecond = ratePerSecond(n, performance.now() - insertStart);

    const reads = await closedLoop({
      concurrency: opts.concurrency, durationMs: opts.seconds * 1000, warmupMs: 500,
      op: (_w, k) => inserted.findOne({ _id: `store-rate-${(k * 7919) % n}` }),
    });
    // Each worker owns its documents, so every guarded update finds the version it expects.
    const versions = new Map<number, number>();
    const updates = await closedLoop({
      concurrency: opts.concurrency, durationMs: opts.seconds * 1000, warmupMs: 500,
      op: async (w, k) => {
        const id = w + opts.concurrency * (k % Math.floor(n / opts.concurrency));
        const v = versions.get(id) ?? 1;
        const r = await inserted.updateOne({ _id: `store-rate-${id}`, v }, { $set: { status: 'confirmed', at: Date.now() }, $inc: { v: 1 } });
        if (r.modifiedCount !== 1) throw new Error(`guarded update of store-rate-${id} at v${v} matched nothing`);
        versions.set(id, v + 1);
      },
    });
    return {
      findOne: { rate: ratePerSecond(reads.ok, reads.elapsedMs), latency: summarize(reads.latencies), concurrency: opts.concurrency },
      guardedUpdate: { rate: ratePerSecond(updates.ok, updates.elapsedMs), latency: summarize(updates.latencies), concurrency: opts.concurrency },
      insertMany: { docsPerSecond, chunk },
    };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

/** The three raw rates as figures (no target: they are what the store does). */
export function storeRateFigures(r: StoreRates): Figure[] {
  return [
    { name: `raw store findOne by _id @${r.findOne.concurrency}`, value: round(r.findOne.rate), unit: 'op/s', ...(r.findOne.latency && { latency: roundSummary(r.findOne.latency) }) },
    { name: `raw store guarded updateOne @${r.guardedUpdate.concurrency}`, value: round(r.guardedUpdate.rate), unit: 'op/s', ...(r.guardedUpdate.latency && { latency: roundSummary(r.guardedUpdate.latency) }) },
    { name: `raw store insertMany (chunks of ${r.insertMany.chunk})`, value: round(r.insertMany.docsPerSecond), unit: 'docs/s' },
  ];
}
