import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import type pg from 'pg';
import { START, type LogPosition } from '../../contracts/position.ts';
import { eventStorePorts } from '../../command-side/eventStore/eventLogPorts.ts';
import { LOG_START } from '../../contracts/eventLog.ts';
import { readAllRows } from '../../command-side/eventStore/sql/readAll.ts';
import { applyOps } from '../../projector/mongo/applyOps.ts';
import { ensureIndexes, namesFor, physicalName } from '../../projector/mongo/generations.ts';
import { orderDetailProjection } from '../../projector/projections/order_detail.ts';
import { INSERT_EVENTS } from '../../tests/support/bulkOrders.ts';
import { mongoConnectionUrl } from '../../tests/support/isolation.ts';
import { ratePerSecond, ratio, round } from '../stats.ts';
import { now } from '../lib/clock.ts';
import { benchId, scratchDb } from '../lib/db.ts';
import { orderPlacedData } from '../lib/fixtures.ts';
import type { Figure, Scenario } from '../lib/types.ts';
import type { RebuildChildReport } from '../tools/rebuildChild.ts';

/** Orders per block: a block's OrderPlaced events come first, then its reservations, payments, confirmations (as a saga would interleave them). */
const BLOCK = 250;
const READ_BATCH = 1000;
const SHADOW_GENERATION = 900;
const INSERT_CHUNK = 2000;
const CHILD = resolve(import.meta.dirname, '../tools/rebuildChild.ts');

/** Appends `orders` orders × 4 contract-valid order events, interleaved per block of {@link BLOCK} orders. */
export async function seedStore(pool: pg.Pool, orders: number): Promise<void> {
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  for (let b = 0; b < orders; b += BLOCK) {
    const cols: [string[], string[], number[], string[], number[], string[], string[], string[], string[], (string | null)[], (string | null)[], string[]] = [[], [], [], [], [], [], [], [], [], [], [], []];
    const ids = Array.from({ length: Math.min(BLOCK, orders - b) }, () => randomUUID());
    const push = (orderId: string, v: number, type: string, version: number, data: Record<string, unknown>, at: string) => {
      cols[0].push(randomUUID()); cols[1].push(`order-${orderId}`); cols[2].push(v); cols[3].push(type); cols[4].push(version);
      cols[5].push(JSON.stringify(data)); cols[6].push('{}'); cols[7].push('bench'); cols[8].push(orderId); cols[9].push(null); cols[10].push(null); cols[11].push(at);
    };
    ids.forEach((id, i) => {
      const at = new Date(t0 + (b + i) * 1000).toISOString();
      push(id, 1, 'OrderPlaced', 3, orderPlacedData(id, `cust-${(b + i) % 500}`, at), at);
    });
    ids.forEach((id, i) => push(id, 2, 'OrderStockReserved', 1, { orderId: id }, new Date(t0 + (b + i) * 1000 + 100).toISOString()));
    ids.forEach((id, i) => push(id, 3, 'OrderPaymentAuthorised', 1, { orderId: id, authorisationId: `auth-${id}` }, new Date(t0 + (b + i) * 1000 + 200).toISOString()));
    ids.forEach((id, i) => {
      const at = new Date(t0 + (b + i) * 1000 + 300).toISOString();
      push(id, 4, 'OrderConfirmed', 1, { orderId: id, customerId: `cust-${(b + i) % 500}`, currency: 'EUR', totalMinor: 2500, confirmedAt: at }, at);
    });
    await pool.query(INSERT_EVENTS, cols);
  }
}

/** Runs the rebuild child ({@link RebuildChildReport}) and parses its report. */
function runRebuildChild(pgUrl: string, mongoDb: string): Promise<RebuildChildReport> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, pgUrl, mongoConnectionUrl, mongoDb, String(SHADOW_GENERATION)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString('utf8')).slice(-2000); });
    child.once('error', fail);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) done(JSON.parse(line) as RebuildChildReport);
      else fail(new Error(`rebuild child exited ${String(code)}: ${err || out.slice(-2000)}`));
    });
  });
}

/**
 * Scenario 6: streaming rebuild of the order_detail projection into a shadow generation from a
 * 1,000,000-event store (50,000 quick), in a child process whose peak RSS is recorded: gap-safe
 * `readAll` batches → pure `project` → streaming fold → `insertMany` flushes of finished documents.
 * Baselines of the same run: a raw scan of the rows, the fold alone (no writes, reads not timed), and
 * the store's raw `insertMany` of the same final documents (the write-bound ceiling of any rebuild).
 */
export const rebuildScenario: Scenario = async ({ quick, log }) => {
  const events = quick ? 50_000 : 1_000_000;
  const orders = events / 4;
  const db = await scratchDb('rebuild');
  const mongo = new MongoClient(mongoConnectionUrl, { socketTimeoutMS: 300_000 });
  const mongoDbName = benchId('bench_rebuild');
  const notes: string[] = [];
  try {
    const pool = db.pool(4);
    const s0 = now();
    await seedStore(pool, orders);
    await pool.query('analyze events');
    log(`  seeded ${events} events in ${((now() - s0) / 1000).toFixed(1)} s`);
    await mongo.connect();
    const mdb = mongo.db(mongoDbName);
    const projection = orderDetailProjection;

    // Baseline: raw read of the same rows.
    let position: LogPosition = START;
    let scanned = 0;
    const r0 = now();
    for (;;) {
      const rows = await readAllRows(pool, position, READ_BATCH);
      const last = rows.at(-1);
      if (!last) break;
      scanned += rows.length;
      position = { transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) };
    }
    const rawRead = ratePerSecond(scanned, now() - r0);
    log(`  raw read ${rawRead.toFixed(0)} rows/s`);

    // The rebuild (and the fold alone) in a child process of its own.
    const child = await runRebuildChild(db.url, mongoDbName);
    const rate = ratePerSecond(child.events, child.replayMs);
    const foldRate = ratePerSecond(child.foldEvents, child.foldMs);
    log(`  streaming replay: ${child.events}/${events} events in ${(child.replayMs / 1000).toFixed(1)} s: ${rate.toFixed(0)} events/s; fold alone ${foldRate.toFixed(0)} events/s; child peak RSS ${child.peakRssMb.toFixed(0)} MB`);
    const shadow = mdb.collection(physicalName('order_detail', SHADOW_GENERATION));
    const [docs, atV4] = [await shadow.countDocuments({}), await shadow.countDocuments({ v: 4, status: 'confirmed' })];
    const checkFailed = child.events !== events || docs !== orders || atV4 !== orders;
    if (checkFailed) notes.push(`CHECK FAILED: the replay reported ${child.events} events for a ${events}-event store; the shadow has ${docs} docs, ${atV4} confirmed at v=4 (expected ${orders}); reproduce with bench/tools/rebuildCheck.ts`);
    else notes.push(`check: all ${events} events replayed; the shadow holds ${docs} order_detail docs, all confirmed at v=4`);

    // Baseline: the store's raw insertMany of the same final documents (read back from the shadow; only the inserts are timed).
    const raw = mdb.collection(`raw_${SHADOW_GENERATION}`);
    let insertMs = 0;
    let inserted = 0;
    // A sample of them (reading them back from FerretDB costs more than inserting them), extrapolated per document.
    const cursor = shadow.find({}, { batchSize: INSERT_CHUNK, limit: quick ? 5000 : 20_000 });
    let chunk: Document[] = [];
    const insertChunk = async () => {
      const i0 = now();
      await raw.insertMany(chunk, { ordered: false });
      insertMs += now() - i0;
      inserted += chunk.length;
      chunk = [];
    };
    for await (const doc of cursor) {
      chunk.push(doc);
      if (chunk.length >= INSERT_CHUNK) await insertChunk();
    }
    if (chunk.length > 0) await insertChunk();
    const rawInsert = ratePerSecond(inserted, insertMs);
    // The same final documents, inserted raw: what a rebuild that only wrote would take for this log.
    const rawInsertEvents = docs > 0 ? rawInsert * (events / docs) : 0;
    log(`  raw FerretDB insertMany of ${inserted} of the same ${docs} docs: ${rawInsert.toFixed(0)} docs/s (${rawInsertEvents.toFixed(0)} events/s of this log)`);

    // For comparison: the guarded per-event write path (applyOps, what the live projector and drainInto use), time-boxed.
    const budgetMs = quick ? 5_000 : 15_000;
    const guardedNames = namesFor(SHADOW_GENERATION + 1);
    await ensureIndexes(mdb, projection, SHADOW_GENERATION + 1);
    const source = eventStorePorts(pool);
    let guarded = 0;
    const g0 = now();
    let from = LOG_START;
    while (now() - g0 < budgetMs) {
      const batch = await source.readAll(from, READ_BATCH);
      const last = batch.at(-1);
      if (!last) break;
      await applyOps(mdb, guardedNames, batch.flatMap((e) => projection.project(e.envelope)), projection.buckets);
      guarded += batch.length;
      from = last.position;
    }
    const guardedRate = ratePerSecond(guarded, now() - g0);
    log(`  guarded applyOps path: ${guarded} events in ${((now() - g0) / 1000).toFixed(1)} s: ${guardedRate.toFixed(0)} events/s`);

    const ofRaw = ratio(rate, rawInsertEvents);
    const met = !checkFailed && (rate >= 50_000 || (ofRaw ?? 0) >= 0.8);
    const rssMet = child.peakRssMb < 400;
    const figures: Figure[] = [
      {
        name: `order_detail streaming rebuild from ${events.toLocaleString('en-US')} events`,
        value: round(rate),
        unit: 'events/s',
        baseline: { what: 'raw insertMany of the same final docs, as events/s of this log', value: round(rawInsertEvents), unit: 'events/s' },
        ...(ofRaw !== undefined && { ratio: round(ofRaw) }),
        target: { text: '≥ 50,000 events/s, or ≥ 0.8 of the raw insertMany of the same final docs', met, ...(!met && { reason: `${checkFailed ? 'shadow view WRONG (see CHECK FAILED note); ' : ''}FerretDB inserted ${round(rawInsert)} docs/s raw in this run (${round(rawInsertEvents)} events/s of this log): the store bounds the rebuild` }) },
        notes: [`${child.storeReads} store reads (Bloom filter hits) during the replay`],
      },
      {
        name: 'fold alone (no writes, reads not timed)',
        value: round(foldRate),
        unit: 'events/s',
        baseline: { what: 'raw readAllRows scan of the same log', value: round(rawRead), unit: 'rows/s' },
        target: { text: '> 50,000 events/s', met: foldRate > 50_000, ...(foldRate <= 50_000 && { reason: 'CPU-bound fold on a shared 2-core box (see the load average)' }) },
        notes: [`${round(ratePerSecond(child.foldEvents, child.foldCpuMs))} events per CPU-second of the child (what one free core gives, GC threads included)`],
      },
      {
        name: 'rebuild child peak RSS',
        value: round(child.peakRssMb),
        unit: 'MB',
        target: { text: quick ? '< 400 MB (judged at 1,000,000 events; quick mode has 50,000)' : '< 400 MB at 1,000,000 events', met: rssMet, ...(!rssMet && { reason: 'memory grew with the view' }) },
      },
      {
        name: 'raw FerretDB insertMany (the same final docs)',
        value: round(rawInsert),
        unit: 'docs/s',
        notes: [`${inserted} of the shadow's ${docs} docs, copied in unordered chunks of ${INSERT_CHUNK} (only the inserts timed); one rebuilt order = 4 events`],
      },
      {
        name: 'guarded applyOps replay (comparison)',
        value: round(guardedRate),
        unit: 'events/s',
        notes: [`${guarded} events in a ${budgetMs / 1000} s time box, ${READ_BATCH} per read, one applyOps per batch into generation ${SHADOW_GENERATION + 1}`],
      },
    ];
    notes.push(`store: ${orders} orders × (OrderPlaced, OrderStockReserved, OrderPaymentAuthorised, OrderConfirmed), interleaved per block of ${BLOCK} orders, seeded by raw INSERTs`);
    notes.push(`replay = projector/rebuild replayIntoGeneration (5,000 events per read, flush every 10,000) in bench/tools/rebuildChild.ts, a process of its own (peak RSS = process.resourceUsage().maxRSS, the fold-only pass included); the timing covers reading, folding and writing up to the final flush (not the lease, compare or switch of rebuildProjection)`);
    return { id: 'rebuild', title: `6. Streaming rebuild into a shadow view from ${events.toLocaleString('en-US')} events`, figures, notes };
  } finally {
    await mongo.db(mongoDbName).dropDatabase().catch(() => undefined);
    await mongo.close().catch(() => undefined);
    await db.drop();
  }
};
