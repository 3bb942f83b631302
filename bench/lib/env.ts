import os from 'node:os';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { loadStackConfig } from '../../stack/config.ts';
import { mongoUrl } from '../../stack/ferretdb.ts';
import { postgresUrl } from '../../stack/postgres.ts';
import { stackStatus } from '../../stack/stack.ts';
import { kafkaBrokers, testKafka } from '../../tests/support/isolation.ts';
import { postgresDurability } from './db.ts';

/** Cores, memory, CPU model, OS and Node: what the numbers were measured on. */
export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((os.freemem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAvg: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

/** Versions of PostgreSQL, Kafka and FerretDB as `stackStatus` reports them. */
export async function serviceVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const statuses = await within(stackStatus(), 15_000, undefined);
  if (!statuses) return { status: 'stackStatus did not answer within 15 s' };
  for (const s of statuses) out[s.name] = `${s.version}${s.answers ? '' : ' (NOT ANSWERING)'}`;
  return out;
}

const BROKER_SETTINGS = ['log.flush.interval.messages', 'log.flush.interval.ms', 'min.insync.replicas', 'default.replication.factor', 'unclean.leader.election.enable'];

/** Durability settings: Postgres `show` values, Kafka broker config, and the producer settings the code uses. */
export async function durabilitySettings(): Promise<Record<string, unknown>> {
  const postgres = await postgresDurability();
  const broker: Record<string, string> = {};
  const admin = testKafka('bench-env').admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const id = String(cluster.brokers[0]?.nodeId ?? 1);
    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: id, configNames: BROKER_SETTINGS }] });
    for (const e of cfg.resources[0]?.configEntries ?? []) broker[e.configName] = String(e.configValue);
  } catch (err) {
    broker['error'] = err instanceof Error ? err.message : String(err);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return {
    postgres,
    kafka: {
      brokers: kafkaBrokers,
      broker,
      relayProducer: { acks: 'all (-1, per sendBatch)', idempotent: true, maxInFlightRequests: 1, partitioner: 'murmur2 (DefaultPartitioner)' },
      topicReplicationFactor: 1,
      note: 'single broker: acks=all means the leader appended to its log (page cache); no fsync per message unless log.flush.* says so',
    },
    ferretdb: 'FerretDB stores views in the same PostgreSQL server (same fsync / synchronous_commit)',
  };
}

/** Resolves with `fallback` when `p` has not settled within `ms` (a wedged service must not hang the bench). */
export function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

/**
 * True when Postgres, Kafka and the MongoDB-wire server all answer within a few seconds. `stackUp`
 * serialises starters with a lock that a starter stuck on a wedged service holds indefinitely, so
 * the bench only calls it when something is actually down.
 */
export async function stackAnswers(): Promise<{ ok: boolean; detail: Record<string, boolean> }> {
  const cfg = loadStackConfig();
  const postgres = within((async () => {
    const c = new pg.Client({ connectionString: postgresUrl(cfg), connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      return (await c.query('select 1 as ok')).rows.length === 1;
    } finally {
      await c.end().catch(() => undefined);
    }
  })().catch(() => false), 5000, false);
  const kafka = within((async () => {
    const admin = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000 }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length > 0;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  })().catch(() => false), 5000, false);
  const mongo = within((async () => {
    const client = new MongoClient(mongoUrl(cfg), { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, socketTimeoutMS: 3000 });
    try {
      await client.connect();
      return (await client.db('admin').command({ ping: 1 })).ok === 1;
    } finally {
      await client.close().catch(() => undefined);
    }
  })().catch(() => false), 5000, false);
  const detail = { postgres: await postgres, kafka: await kafka, mongo: await mongo };
  return { ok: detail.postgres && detail.kafka && detail.mongo, detail };
}
