/**
 * The rebuild scenario's child process (`tsx bench/tools/rebuildChild.ts <pgUrl> <mongoUrl> <mongoDb> <generation>`):
 * a process of its own so that its peak RSS is the rebuild's alone. It first folds the whole log of
 * order_detail with no writes (the fold-only rate: reading excluded from the timing), then replays it
 * into `generation` with `replayIntoGeneration` (the streaming rebuild: reads, fold, insertMany
 * flushes). Prints one JSON line ({@link RebuildChildReport}) on stdout.
 */
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { eventStorePorts } from '../../command-side/eventStore/eventLogPorts.ts';
import { LOG_START } from '../../contracts/eventLog.ts';
import { createStreamingFold, emptyFoldStore } from '../../projector/memory/streamingFold.ts';
import { ensureIndexes } from '../../projector/mongo/generations.ts';
import { stampAdds } from '../../projector/projections/index.ts';
import { orderDetailProjection } from '../../projector/projections/order_detail.ts';
import { replayIntoGeneration } from '../../projector/rebuild/index.ts';

/** What the child reports. */
export interface RebuildChildReport {
  foldEvents: number;
  foldMs: number;
  /** CPU time (user + system, GC threads included) of the timed fold sections. */
  foldCpuMs: number;
  events: number;
  replayMs: number;
  storeReads: number;
  /** Time the replay waited for its flushes to reach the store. */
  storeWaitMs: number;
  /** Insert commands the replay kept in flight at once. */
  insertConcurrency: number;
  /** Peak resident set size of the child (MB), fold and replay included. */
  peakRssMb: number;
}

const FLUSH_EVERY = 10_000;
/** `BENCH_REBUILD_INSERT_CONCURRENCY` overrides the replay's default (for A/B runs). */
const INSERT_CONCURRENCY = Number(process.env.BENCH_REBUILD_INSERT_CONCURRENCY ?? 1);
const [pgUrl, mongoUrl, mongoDb, generationText] = process.argv.slice(2);
if (!pgUrl || !mongoUrl || !mongoDb || !generationText) throw new Error('usage: rebuildChild.ts <pgUrl> <mongoUrl> <mongoDb> <generation>');
const projection = orderDetailProjection;
const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
const mongo = new MongoClient(mongoUrl, { socketTimeoutMS: 300_000 });
try {
  const source = eventStorePorts(pool);
  // Fold only: the same streaming fold with a store that is never read (nothing was flushed to it) and
  // flushes that are selected but not written. Only the fold is timed, not the reads.
  const fold = createStreamingFold(projection, emptyFoldStore, { window: FLUSH_EVERY });
  let foldMs = 0;
  let foldCpuMs = 0;
  let seq = 0;
  for (let from = LOG_START; ;) {
    const batch = await source.readAll(from, 5000, projection.handles);
    const last = batch.at(-1);
    if (!last) break;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const e of batch) {
      seq++;
      const reading = fold.apply(stampAdds(projection.project(e.envelope), { shard: 'base', position: e.position }), seq);
      if (reading) await reading;
      if (seq % FLUSH_EVERY === 0) {
        fold.evict(seq);
        await fold.takeFlush(seq);
      }
    }
    foldMs += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    foldCpuMs += (cpu.user + cpu.system) / 1000;
    from = last.position;
  }
  await mongo.connect();
  const db = mongo.db(mongoDb);
  const generation = Number(generationText);
  await ensureIndexes(db, projection, generation);
  const r0 = performance.now();
  const replay = await replayIntoGeneration({ source, db, projection, generation, flushEveryEvents: FLUSH_EVERY, insertConcurrency: INSERT_CONCURRENCY });
  const report: RebuildChildReport = {
    foldEvents: seq, foldMs, foldCpuMs, events: replay.events, replayMs: performance.now() - r0, storeReads: replay.storeReads,
    storeWaitMs: replay.storeWaitMs, insertConcurrency: INSERT_CONCURRENCY,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await mongo.close().catch(() => undefined);
  await pool.end();
}
