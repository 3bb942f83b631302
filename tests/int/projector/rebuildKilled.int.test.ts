import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, MongoClient } from 'mongodb';
import type pg from 'pg';
import { START } from '../../../contracts/position.ts';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { readAllRows } from '../../../command-side/eventStore/sql/readAll.ts';
import { dropGeneration, listGenerations, liveGeneration } from '../../../projector/mongo/generations.ts';
import { orderDetailProjection } from '../../../projector/projections/order_detail.ts';
import type { Projection } from '../../../projector/projections/index.ts';
import { compareGenerations, readRebuild, replayIntoGeneration, type RebuildResult } from '../../../projector/rebuild/index.ts';
import { bulkInsertOrderHistory } from '../../support/bulkOrders.ts';
import { cliEnv, runCli, spawnCli } from '../../support/cli.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { freshMongo } from '../../support/isolation.ts';
import { eventually } from '../../support/pipeline.ts';

/** Events in the store: 50,000 as the issue asks (`ORDERFLOW_REBUILD_TEST_EVENTS` overrides it). */
const EVENTS = Number(process.env.ORDERFLOW_REBUILD_TEST_EVENTS ?? 50_000);
const SCRATCH = 990;
const FLUSH_EVERY = '2000';

/**
 * A rebuild is a child process (the CLI), SIGKILLed once about half its events are flushed; a second
 * run takes the lease over, continues the same generation from the last flushed position (it does
 * not start over) and switches. The result equals a fresh replay of the whole log, hash by hash.
 */
describe('a killed rebuild resumes from its last flush (real Postgres, FerretDB; CLI child process)', () => {
  let pool: pg.Pool;
  let mongo: MongoClient;
  let db: Db;
  let env: Record<string, string>;
  let stored = 0;

  beforeAll(async () => {
    ({ pool } = await freshEventStore('rbkill', 8));
    stored = (await bulkInsertOrderHistory(pool, { events: EVENTS })).events;
    // Gap-safe readers pass an event once no older transaction may still commit: wait for the whole log.
    await eventually(async () => (await readAllRows(pool, START, stored + 1)).length === stored, 30_000);
    ({ client: mongo, db } = await freshMongo('rbkill'));
    env = cliEnv({ databaseUrl: (pool.options as { connectionString: string }).connectionString, mongoDb: db.databaseName });
  }, 120_000);

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await pool?.end();
  });

  async function killHalfway(projection: Projection, handled: number) {
    const child = spawnCli(['projections', 'rebuild', projection.name, '--batch-size', '1000', '--flush-every', FLUSH_EVERY], env);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await eventually(async () => {
      const doc = await readRebuild(db, projection.name);
      return doc?.status === 'running' && doc.flushedEvents >= handled * 0.45;
    }, 120_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = await readRebuild(db, projection.name);
    if (!left) throw new Error('no rebuild document');
    return left;
  }

  // order_detail reads all 50,000 events. The other projections' resume (sharded sums, via-adds,
  // buckets) is the property test of projector/memory/streamingFold.unit.test.ts: each case here
  // costs two CLI runs and a full replay on a shared 2-core box.
  it('order_detail (one document per order), killed at about half', async () => {
    const projection = orderDetailProjection;
    const handled = (await eventStorePorts(pool).countEvents(projection.handles));
    const live = await liveGeneration(db, projection);
    const left = await killHalfway(projection, handled);
    console.log(`${projection.name}: killed with ${left.flushedEvents}/${handled} events flushed (${left.eventsDone} folded), phase ${left.phase}`);
    expect(left).toMatchObject({ status: 'running', phase: 'replaying' });
    expect(left.flushedEvents).toBeGreaterThan(0);
    expect(left.flushedEvents).toBeLessThan(handled);
    expect(await liveGeneration(db, projection)).toMatchObject({ generation: live.generation }); // nothing switched

    const second = await runCli(['projections', 'rebuild', projection.name, '--json'], env, 200_000);
    expect(second.stderr).not.toContain('orderflow:');
    expect(second.code).toBe(0);
    const r = JSON.parse(second.stdout) as RebuildResult;
    console.log(`${projection.name}: resumed after ${r.resumedFrom?.events} events; replayed ${r.eventsReplayed} more at ${Math.round(r.replayRate)} events/s`);
    // It continued the killed run's generation from the flushed position: it did not start over.
    expect(r.resumedFrom).toEqual({ generation: left.targetGeneration, position: left.flushedPosition, events: left.flushedEvents });
    expect(r.toGeneration).toBe(left.targetGeneration);
    expect(r.eventsReplayed).toBe(handled - left.flushedEvents);
    expect(await listGenerations(db, projection)).toEqual([r.toGeneration]);
    expect(await readRebuild(db, projection.name)).toMatchObject({ status: 'done', flushedEvents: handled });

    // Equal, document by document, to a fresh replay of the whole log.
    await replayIntoGeneration({ source: eventStorePorts(pool), db, projection, generation: SCRATCH });
    const c = await compareGenerations(db, projection, r.toGeneration, SCRATCH);
    await dropGeneration(db, projection, SCRATCH);
    expect(c.views.map((v) => [v.view, v.differentCount, v.onlyInACount, v.onlyInBCount])).toEqual(projection.views.map((v) => [v.name, 0, 0, 0]));
    for (const v of c.views) expect(v.digestA, v.view).toBe(v.digestB);
    expect(c.views.reduce((n, v) => n + v.countA, 0)).toBeGreaterThan(1000);
    expect(c.equal).toBe(true);
  }, 300_000);
});
