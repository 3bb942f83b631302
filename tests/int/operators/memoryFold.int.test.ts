import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, MongoClient } from 'mongodb';
import { createMemoryViews } from '../../../projector/memory/memoryViews.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { ensureIndexes, namesFor } from '../../../projector/mongo/generations.ts';
import { projections, stampAdds } from '../../../projector/projections/index.ts';
import { deliveryArb, liveDeliveries, logArb } from '../../support/projectionArbitraries.ts';
import { compareGenerations, flushViews } from '../../../projector/rebuild/index.ts';
import { freshMongo } from '../../support/isolation.ts';

/**
 * The rebuild folds in memory and writes finished documents; the live projector sends guarded
 * writes to the store. They must produce the same documents, or a rebuild would change the views.
 */
describe('the in-memory fold writes exactly what the guarded adapter writes (real FerretDB)', () => {
  let mongo: MongoClient;
  let db: Db;
  beforeAll(async () => {
    ({ client: mongo, db } = await freshMongo('memfold'));
  });
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it.each(projections.map((p) => [p.name, p] as const))('%s', async (_, projection) => {
    const samples = fc.sample(fc.tuple(logArb, deliveryArb), { numRuns: 2, seed: 42 });
    let generation = 100;
    let compared = 0;
    for (const [log, delivery] of samples) {
      const memoryGen = ++generation;
      const storeGen = ++generation;
      await ensureIndexes(db, projection, memoryGen);
      await ensureIndexes(db, projection, storeGen);
      // Memory: the log in order, flushed twice (inserts, then replaces of documents changed since).
      const views = createMemoryViews(projection);
      const half = Math.floor(log.length / 2);
      views.project(log.slice(0, half));
      await flushViews(db, views, memoryGen);
      views.project(log.slice(half));
      await flushViews(db, views, memoryGen);
      // Store: an at-least-once delivery (duplicates, rewinds) through the guarded adapter, batch by batch.
      // Sums: one live writer's shard, guarded by the events' log positions.
      const position = new Map(log.map((e, i) => [e.eventId, `1.${i + 1}`]));
      const delivered = liveDeliveries(log, delivery);
      for (let i = 0; i < delivered.length; i += 7) {
        const ops = delivered.slice(i, i + 7).flatMap((e) => (projection.handles.includes(e.type) ? stampAdds(projection.project(e), { shard: 'orders.0', position: position.get(e.eventId) ?? '' }) : []));
        await applyOps(db, namesFor(storeGen), ops, projection.buckets, projection.sharded, { ranked: projection.ranked });
      }
      const c = await compareGenerations(db, projection, memoryGen, storeGen);
      expect(c.views.map((v) => ({ view: v.view, onlyMemory: v.onlyInA, onlyStore: v.onlyInB, different: v.different }))).toEqual(
        c.views.map((v) => ({ view: v.view, onlyMemory: [], onlyStore: [], different: [] })),
      );
      compared += c.views.reduce((n, v) => n + v.countA, 0);
    }
    expect(compared).toBeGreaterThan(0);
  }, 60_000);
});
