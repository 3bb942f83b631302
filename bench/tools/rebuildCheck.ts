/**
 * `ORDERS=50000 tsx bench/tools/rebuildCheck.ts`: seeds ORDERS × 4 order events (as scenario 6 does),
 * reads the log once through `eventStorePorts` (counting duplicates), then replays it with
 * `replayIntoGeneration` into a scratch generation and prints the shadow's documents by version.
 * Every doc should be at v=4 and the replay should report exactly ORDERS × 4 events.
 */
import { MongoClient } from 'mongodb';
import { eventStorePorts } from '../../command-side/eventStore/eventLogPorts.ts';
import { ensureIndexes, physicalName } from '../../projector/mongo/generations.ts';
import { LOG_START } from '../../contracts/eventLog.ts';
import { orderDetailProjection } from '../../projector/projections/order_detail.ts';
import { replayIntoGeneration } from '../../projector/rebuild/index.ts';
import { mongoConnectionUrl } from '../../tests/support/isolation.ts';
import { benchId, scratchDb } from '../lib/db.ts';
import { seedStore } from '../scenarios/rebuild.ts';

const orders = Number(process.env.ORDERS ?? 50_000);
const db = await scratchDb('rbcheck');
const mongo = new MongoClient(mongoConnectionUrl);
const mdbName = benchId('rbcheck');
try {
  const pool = db.pool(4);
  await seedStore(pool, orders);
  const source = eventStorePorts(pool);
  const seen = new Set<string>();
  let read = 0;
  let duplicates = 0;
  for (let from = LOG_START; ;) {
    const batch = await source.readAll(from, 5000);
    const last = batch.at(-1);
    if (!last) break;
    for (const e of batch) {
      read++;
      if (seen.has(e.envelope.eventId)) duplicates++;
      seen.add(e.envelope.eventId);
    }
    from = last.position;
  }
  console.log(`sequential readAll pass: ${read} events, ${duplicates} duplicates (expected ${orders * 4}, 0)`);
  // The same pass with the projection's type filter (what replayIntoGeneration asks for).
  const seenTyped = new Map<string, number>();
  let readTyped = 0;
  for (let from = LOG_START, b = 0; ; b++) {
    const batch = await source.readAll(from, 5000, orderDetailProjection.handles);
    const last = batch.at(-1);
    if (!last) break;
    batch.forEach((e, i) => {
      readTyped++;
      const n = (seenTyped.get(e.envelope.eventId) ?? 0) + 1;
      seenTyped.set(e.envelope.eventId, n);
      if (n > 1) console.log(`  again: ${e.envelope.type} ${e.envelope.streamId}@${e.envelope.streamVersion} at ${e.position}, index ${i} of read ${b} (after ${from}, ${batch.length} rows)`);
    });
    from = last.position;
  }
  const dupTyped = [...seenTyped.values()].filter((n) => n > 1).length;
  console.log(`sequential typed readAll pass: ${readTyped} events, ${dupTyped} events returned more than once, ${seen.size - seenTyped.size} never returned`);
  await mongo.connect();
  const mdb = mongo.db(mdbName);
  await ensureIndexes(mdb, orderDetailProjection, 900);
  const r = await replayIntoGeneration({ source, db: mdb, projection: orderDetailProjection, generation: 900 });
  const byVersion = await mdb.collection(physicalName('order_detail', 900)).aggregate<{ _id: number; n: number }>([{ $group: { _id: '$v', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
  console.log(`replayIntoGeneration: ${r.events} events reported (expected ${orders * 4}); shadow docs by v: ${byVersion.map((g) => `v${g._id}=${g.n}`).join(' ')} (expected v4=${orders})`);
} finally {
  await mongo.db(mdbName).dropDatabase().catch(() => undefined);
  await mongo.close().catch(() => undefined);
  await db.drop();
}
process.exit(0);
