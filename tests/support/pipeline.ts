import type { Db, MongoClient } from 'mongodb';
import type pg from 'pg';
import type { Producer } from 'kafkajs';
import type { Relay } from '../../command-side/outbox/relay.ts';
import type { CommandHandler } from '../../command-side/handlers/commandHandler.ts';
import type { EventStore } from '../../command-side/eventStore/eventStore.ts';
import { createKafka } from '../../messaging/kafka.ts';
import { createProjectorWorker, type ProjectorWorkerOptions } from '../../projector/runner/projectorWorker.ts';
import { projections, type Projection } from '../../projector/projections/index.ts';
import { freshEventStore } from './eventStore.ts';
import { freshMongo, kafkaBrokers, uniqueId } from './isolation.ts';
import { testLogger, testRelay } from './relayHarness.ts';

/** A whole write→relay→Kafka→projector→Mongo pipeline on isolated resources. */
export interface Pipeline {
  pool: pg.Pool;
  store: EventStore;
  handler: CommandHandler;
  relay: Relay;
  mongo: MongoClient;
  db: Db;
  prefix: string;
  producer: Producer;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Worker options a test may set (the view-write adapter, retry timing, a private metrics registry). */
export type PipelineWorkerOptions = Partial<Pick<ProjectorWorkerOptions, 'maxAttempts' | 'maxBackoffMs' | 'registry'>> & {
  /** Wraps the real view-write adapter of the pipeline's database. */
  writeViews?: (db: Db) => ProjectorWorkerOptions['writeViews'];
};

/** Starts the pipeline with the given projections (all by default). */
export async function startPipeline(tag: string, which: readonly Projection[] = projections, extra: PipelineWorkerOptions = {}): Promise<Pipeline> {
  const { pool, store, handler } = await freshEventStore(tag);
  const { client: mongo, db } = await freshMongo(tag);
  const prefix = `${uniqueId(tag)}.`;
  const databaseUrl = (pool.options as { connectionString: string }).connectionString;
  const relay = testRelay(databaseUrl, prefix);
  relay.start();
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: `${tag}-projector` });
  const producer = kafka.producer();
  await producer.connect();
  const workers = which.map((projection) =>
    createProjectorWorker({ kafka, db, projection, logger: testLogger, producer, topicPrefix: prefix, partitions: 3, sessionTimeout: 10_000,
      maxAttempts: extra.maxAttempts ?? 5, backoffMs: 20, maxBackoffMs: extra.maxBackoffMs, registry: extra.registry, writeViews: extra.writeViews?.(db) }));
  await Promise.all(workers.map((w) => w.start()));
  return {
    pool, store, handler, relay, mongo, db, prefix, producer, databaseUrl,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await relay.stop();
      await producer.disconnect();
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await pool.end();
    },
  };
}

/** Polls until `check` returns a value (views are eventually consistent; GraphQL tests use consistentWith instead). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
