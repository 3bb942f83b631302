import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, MongoClient } from 'mongodb';
import type pg from 'pg';
import type { Producer } from 'kafkajs';
import { START } from '../../../contracts/position.ts';
import { moveCheckpoint } from '../../../command-side/eventStore/sql/logCheckpoint.ts';
import { readAllRows } from '../../../command-side/eventStore/sql/readAll.ts';
import type { CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import type { Relay } from '../../../command-side/outbox/relay.ts';
import { createKafka } from '../../../messaging/kafka.ts';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { dropGeneration, listGenerations, liveGeneration, physicalName } from '../../../projector/mongo/generations.ts';
import { ordersByCustomerProjection } from '../../../projector/projections/orders_by_customer.ts';
import {
  beginRebuild, compareGenerations, readRebuild, rebuildProjection, RebuildInProgressError, replayIntoGeneration,
  type RebuildProgress, type RebuildResult,
} from '../../../projector/rebuild/index.ts';
import { createProjectorWorker } from '../../../projector/runner/projectorWorker.ts';
import { createViewReader } from '../../../query-side/views/viewReader.ts';
import { seedOrderHistory, type SeededHistory } from '../../support/bulkOrders.ts';
import { cliEnv, runCli, spawnCli } from '../../support/cli.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { freshMongo, kafkaBrokers } from '../../support/isolation.ts';
import { placeOrder, seedProduct } from '../../support/orders.ts';
import { eventually } from '../../support/pipeline.ts';
import { testLogger, testRelay } from '../../support/relayHarness.ts';

/**
 * Events stored before the test starts: 50,000 as the issue asks (`ORDERFLOW_REBUILD_TEST_EVENTS`
 * overrides it). Seeding takes ~10–20 s and each of the five full replays ~2–5 s on this 2-core
 * machine: the file runs in about a minute alone, longer when other suites share the machine.
 */
const EVENTS = Number(process.env.ORDERFLOW_REBUILD_TEST_EVENTS ?? 50_000);
const projection = ordersByCustomerProjection;
const SCRATCH = 999;

describe('rebuild by replay with no downtime (real Postgres, Kafka, FerretDB)', () => {
  let pool: pg.Pool;
  let handler: CommandHandler;
  let mongo: MongoClient;
  let db: Db;
  let relay: Relay;
  let producer: Producer;
  let worker: ReturnType<typeof createProjectorWorker>;
  let seeded: SeededHistory;
  let databaseUrl = '';
  const source = () => eventStorePorts(pool);

  /** A view built from scratch over every stored event, compared with the live generation. */
  async function compareWithScratch() {
    const live = await liveGeneration(db, projection);
    try {
      await replayIntoGeneration({ source: source(), db, projection, generation: SCRATCH });
      return await compareGenerations(db, projection, live.generation, SCRATCH);
    } finally {
      await dropGeneration(db, projection, SCRATCH);
    }
  }

  beforeAll(async () => {
    let store;
    ({ pool, store, handler } = await freshEventStore('rebuild', 24));
    databaseUrl = (pool.options as { connectionString: string }).connectionString;
    seeded = await seedOrderHistory(store, { events: EVENTS, customers: 500 });
    // Kafka's retention is finite: these old events exist only in the store (the relay starts after them).
    const { rows } = await pool.query<{ tx: string; gp: string }>('select transaction_id::text as tx, global_position::text as gp from events order by transaction_id desc, global_position desc limit 1');
    const head = rows[0];
    if (!head) throw new Error('no events seeded');
    expect(await moveCheckpoint(pool, 'relay', START, { transactionId: BigInt(head.tx), globalPosition: BigInt(head.gp) })).toEqual({ ok: true });
    // Gap-safe readers pass an event once no older transaction may still commit: wait until the
    // whole history is visible to them (the bootstrap below must not miss its tail).
    await eventually(async () => (await readAllRows(pool, START, seeded.events + 1)).length === seeded.events, 30_000);
    ({ client: mongo, db } = await freshMongo('rebuild'));
    // The first live generation is itself built by a rebuild (the projector never saw these events).
    await rebuildProjection({ source: source(), db, projection, logger: testLogger, switchGraceMs: 100 });
    await seedProduct(handler, 'W-MUG', 500, 1_000_000);
    const prefix = `rebuild_${Date.now()}.`;
    relay = testRelay(databaseUrl, prefix);
    relay.start();
    const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'rebuild-test' });
    producer = kafka.producer();
    await producer.connect();
    worker = createProjectorWorker({ kafka, db, projection, logger: testLogger, producer, topicPrefix: prefix, partitions: 3, sessionTimeout: 10_000, backoffMs: 20 });
    await worker.start();
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await relay?.stop();
    await producer?.disconnect();
    await db?.dropDatabase().catch(() => undefined);
    await mongo?.close();
    await pool?.end();
  });

  it(`rebuild while live: ${EVENTS} stored events, a writer adding orders, readers never failing nor seeing a partial view`, async () => {
    const views = createViewReader(db, 500);
    const customers = [...seeded.ordersByCustomer.keys()];
    const stats = { queries: 0, errors: [] as string[], wrong: [] as string[] };
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const c = customers[Math.floor(Math.random() * customers.length)] ?? 'c-0';
        try {
          const page = await views.customerOrders(c, 100);
          stats.queries++;
          const expected = seeded.ordersByCustomer.get(c) ?? 0;
          if (page.items.length !== expected) stats.wrong.push(`${c}: ${page.items.length}/${expected}`);
        } catch (err) {
          stats.errors.push(String(err));
        }
      }
    })();
    const written = new Map<string, number>();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const customer = `w-${i % 10}`;
        await placeOrder(handler, pool, customer, [{ sku: 'W-MUG', quantity: 1 }]);
        written.set(customer, (written.get(customer) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));

    const phases = new Set<string>();
    let result: RebuildResult | undefined;
    try {
      result = await rebuildProjection({ source: source(), db, projection, logger: testLogger, compare: true, onProgress: (p: RebuildProgress) => phases.add(p.phase) });
    } finally {
      await new Promise((r) => setTimeout(r, 1000)); // keep reading on the new generation a little
      writing = false;
      await writer;
    }
    const writtenTotal = [...written.values()].reduce((a, b) => a + b, 0);
    // The pipeline drains into the NEW generation: every writer order shows up there.
    await eventually(async () => {
      const n = await db.collection(physicalName(projection.views[0]?.name ?? '', result?.toGeneration ?? 0)).countDocuments({ customerId: { $regex: '^w-' } });
      return n === writtenTotal;
    }, 30_000);
    reading = false;
    await reader;

    console.log(`rebuild of ${projection.name}: ${result.eventsReplayed} events replayed at ${Math.round(result.replayRate)} events/s (${result.elapsedMs} ms in all, ${result.eventsAfterSwitch} re-applied after the switch); ${stats.queries} reader queries; ${writtenTotal} orders written meanwhile`);
    expect(stats.errors).toEqual([]);
    expect(stats.wrong).toEqual([]);
    expect(stats.queries).toBeGreaterThan(20);
    expect(writtenTotal).toBeGreaterThan(10);
    expect(result.eventsReplayed).toBeGreaterThanOrEqual(EVENTS);
    expect([...phases]).toEqual(['replaying', 'comparing', 'catching-up', 'switching', 'draining', 'dropping', 'done']);
    expect(result.comparison?.views[0]).toMatchObject({ view: 'orders_by_customer' });
    expect(result.fromGeneration).toBe(2);
    expect(result.toGeneration).toBe(3);
    expect(await listGenerations(db, projection)).toEqual([3]); // the old generation is gone
    expect(await readRebuild(db, projection.name)).toMatchObject({ status: 'done', phase: 'done', targetGeneration: 3 });

    // After the switch and the drain, the live view equals a view built from scratch over the same events.
    const c = await compareWithScratch();
    expect(c.views.map((v) => [v.view, v.countA, v.differentCount, v.onlyInACount, v.onlyInBCount])).toEqual([['orders_by_customer', seeded.orders + writtenTotal, 0, 0, 0]]);
    expect(c.views[0]?.digestA).toBe(c.views[0]?.digestB);
    expect(c.equal).toBe(true);
  }, 180_000);

  it('kill a rebuild halfway: the live view is untouched and a second run takes over and completes', async () => {
    const env = cliEnv({ databaseUrl, mongoDb: db.databaseName });
    const live = await liveGeneration(db, projection);
    const before = await compareGenerations(db, projection, live.generation, live.generation);
    const child = spawnCli(['projections', 'rebuild', projection.name, '--batch-size', '500'], env);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const halfway = await eventually(async () => {
      const doc = await readRebuild(db, projection.name);
      return doc?.status === 'running' && doc.phase === 'replaying' && doc.eventsDone > 0 ? doc : undefined;
    }, 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Nothing visible changed: same live generation, same content; the lease is left behind "running".
    expect(await liveGeneration(db, projection)).toMatchObject({ generation: live.generation });
    const after = await compareGenerations(db, projection, live.generation, live.generation);
    expect(after.views[0]?.digestA).toBe(before.views[0]?.digestA);
    const stale = await readRebuild(db, projection.name);
    expect(stale).toMatchObject({ status: 'running', owner: halfway.owner });
    expect(stale?.eventsDone).toBeLessThan(EVENTS);
    const target = stale?.targetGeneration ?? 0;
    expect(target).toBeGreaterThan(live.generation);

    // The second run sees the owner's process is gone, takes the lease over and, told to start over
    // (`--fresh`; resuming is tests/int/projector/rebuildKilled.int.test.ts), drops the leftovers and completes.
    const second = await runCli(['projections', 'rebuild', projection.name, '--json', '--fresh'], env, 140_000);
    expect(second.stderr).not.toContain('orderflow:');
    expect(second.code).toBe(0);
    const r = JSON.parse(second.stdout) as RebuildResult;
    expect(r.fromGeneration).toBe(live.generation);
    expect(r.toGeneration).toBeGreaterThan(target);
    expect(await listGenerations(db, projection)).toEqual([r.toGeneration]);
    expect(await readRebuild(db, projection.name)).toMatchObject({ status: 'done', targetGeneration: r.toGeneration });
    // No event was stored meanwhile, and the first test proved the live view equal to a scratch replay:
    // the rebuilt generation must hash exactly as the old live one did (no third full replay needed).
    const rebuilt = await compareGenerations(db, projection, r.toGeneration, r.toGeneration);
    expect(rebuilt.views.map((v) => [v.view, v.countA, v.digestA])).toEqual(before.views.map((v) => [v.view, v.countA, v.digestA]));
  }, 200_000);

  it('two rebuilds of one projection cannot run at once; an aborted one cleans up and leaves live alone', async () => {
    const live = await liveGeneration(db, projection);
    const abort = new AbortController();
    const first = await beginRebuild({ source: source(), db, projection, logger: testLogger, signal: abort.signal, batchSize: 500 });
    await expect(beginRebuild({ source: source(), db, projection, logger: testLogger })).rejects.toBeInstanceOf(RebuildInProgressError);
    await eventually(async () => (await readRebuild(db, projection.name))?.phase === 'replaying');
    abort.abort(new Error('operator pressed ctrl-c'));
    await expect(first.done).rejects.toThrow('operator pressed ctrl-c');
    expect(await readRebuild(db, projection.name)).toMatchObject({ status: 'aborted', owner: first.owner });
    expect(await liveGeneration(db, projection)).toMatchObject({ generation: live.generation });
    expect(await listGenerations(db, projection)).toEqual([live.generation]);
  }, 60_000);
});
