import { Kafka, logLevel, type Admin } from 'kafkajs';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { migrationsApplied } from '../command-side/index.ts';
import type { AppConfig, Logger } from '../platform/index.ts';

/** Dependency checks for `/readyz`, with the clients they hold. */
export interface DependencyProbe {
  /** `postgres`, `migrations`, `kafka` and `mongo`, each true when it answered within the bound. */
  check(): Promise<Record<string, boolean>>;
  close(): Promise<void>;
}

function bounded(name: string, ms: number, logger: Logger, fn: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    fn(),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ])
    .catch((err: unknown) => {
      logger.debug({ err, check: name }, 'readiness check failed');
      return false;
    })
    .finally(() => clearTimeout(timer));
}

/**
 * Probes Postgres (`select 1` and the command side's migrations), Kafka (cluster metadata) and
 * Mongo (`ping`) with small dedicated clients, each check bounded by `timeoutMs`.
 */
export function createDependencyProbe(config: AppConfig, logger: Logger, timeoutMs = 2_000): DependencyProbe {
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 1, connectionTimeoutMillis: timeoutMs, idleTimeoutMillis: 30_000, statement_timeout: timeoutMs });
  pool.on('error', (err) => logger.debug({ err }, 'readiness postgres client error'));
  const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, maxPoolSize: 1, socketTimeoutMS: timeoutMs });
  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-readiness`,
    brokers: config.kafka.brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let admin: Admin | undefined;

  const kafkaReachable = async (): Promise<boolean> => {
    try {
      if (!admin) {
        const a = kafka.admin();
        await a.connect();
        admin = a;
      }
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } catch (err) {
      const stale = admin;
      admin = undefined;
      await stale?.disconnect().catch(() => undefined);
      throw err;
    }
  };

  return {
    async check() {
      const [postgres, migrations, kafkaOk, mongoOk] = await Promise.all([
        bounded('postgres', timeoutMs, logger, async () => (await pool.query('select 1')).rowCount === 1),
        bounded('migrations', timeoutMs, logger, () => migrationsApplied(pool)),
        bounded('kafka', timeoutMs, logger, kafkaReachable),
        bounded('mongo', timeoutMs, logger, async () => (await mongo.db(config.mongo.db).command({ ping: 1 }))['ok'] === 1),
      ]);
      return { postgres, migrations, kafka: kafkaOk, mongo: mongoOk };
    },
    async close() {
      await Promise.allSettled([pool.end(), mongo.close(), admin?.disconnect()]);
    },
  };
}
