import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { loadStackConfig } from '../../stack/config.ts';
import { mongoUrl } from '../../stack/ferretdb.ts';
import { ensureDatabase, postgresUrl } from '../../stack/postgres.ts';

const cfg = loadStackConfig();

/** A short random suffix that keeps parallel test files apart. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A fresh Postgres database for one test file; returns its URL. */
export async function freshPostgres(prefix: string): Promise<string> {
  const name = uniqueId(`t_${prefix}`).toLowerCase();
  await ensureDatabase(cfg, name);
  return postgresUrl(cfg, name);
}

/** A pool on a fresh Postgres database. */
export async function freshPool(prefix: string, max = 10): Promise<pg.Pool> {
  return new pg.Pool({ connectionString: await freshPostgres(prefix), max });
}

/** The stack's Kafka brokers. */
export const kafkaBrokers = [`127.0.0.1:${cfg.kafka.port}`];

/** A kafkajs client for tests (quiet logs). */
export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers, logLevel: logLevel.ERROR });
}

/** Creates topics (the broker does not auto-create) and waits until they have leaders. */
export async function createTopics(admin: Admin, topics: string[], numPartitions = 3): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })) });
}

/** The stack's MongoDB-wire URL. */
export const mongoConnectionUrl = mongoUrl(cfg);

/** A fresh Mongo database for one test file. */
export async function freshMongo(prefix: string): Promise<{ client: MongoClient; db: Db; name: string }> {
  const client = new MongoClient(mongoConnectionUrl);
  await client.connect();
  const name = uniqueId(`t_${prefix}`);
  return { client, db: client.db(name), name };
}
