import { MongoClient } from 'mongodb';
import { databaseName, migrateDatabase } from '../../ops/database.ts';
import { loadConfig, type AppConfig } from '../../platform/config.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, uniqueId } from '../../tests/support/isolation.ts';
import { dropDatabase } from './db.ts';
import { deleteTopicsWithPrefix } from './kafka.ts';

/** The isolated resources a bench's role processes share, and the environment that points them there. */
export interface BenchRoleEnv {
  /** What every `orderflow <role>` child of this bench gets on top of the bench's own environment. */
  env: Record<string, string>;
  /** `loadConfig(env)`: the same configuration the children load. */
  config: AppConfig;
  databaseUrl: string;
  /** Topic prefix (ends with a dot). */
  prefix: string;
  mongoDb: string;
  /** Drops the Postgres database, the prefix's topics and the view database; never throws. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated Postgres database, topic prefix and view database named after `tag`, with the
 * environment that runs roles on them as the bench needs: test env, dev auth, 3 partitions, errors-only
 * logs, changed projections only reported at start, and every per-principal / per-address budget
 * (requests, failed authentications, sockets per subject) raised out of the way, so a figure measures
 * the path under test rather than a limiter. `extra` is applied last (e.g. the limits an abuse run
 * measures against).
 */
export async function benchRoleEnv(tag: string, extra: Record<string, string> = {}): Promise<BenchRoleEnv> {
  const databaseUrl = await freshPostgres(tag);
  const prefix = `${uniqueId(tag)}.`;
  const mongoDb = uniqueId(tag);
  const env: Record<string, string> = {
    ORDERFLOW_ENV: 'test', ORDERFLOW_AUTH_MODE: 'dev', DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','),
    ORDERFLOW_TOPIC_PREFIX: prefix, ORDERFLOW_TOPIC_PARTITIONS: '3', MONGO_URL: mongoConnectionUrl, MONGO_DB: mongoDb,
    ORDERFLOW_RATE_LIMIT_PER_MINUTE: '100000000', ORDERFLOW_AUTH_FAILURES_PER_MINUTE: '100000000', ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT: '100000',
    LOG_LEVEL: 'error', ORDERFLOW_REBUILD_ON_START: 'warn',
    ...extra,
  };
  const config = loadConfig(env);
  const drop = async () => {
    await deleteTopicsWithPrefix(prefix);
    await dropDatabase(databaseName(databaseUrl));
    const mongo = new MongoClient(mongoConnectionUrl);
    await mongo.connect().then(() => mongo.db(mongoDb).dropDatabase()).catch(() => undefined);
    await mongo.close().catch(() => undefined);
  };
  try {
    await migrateDatabase(config);
  } catch (err) {
    await drop();
    throw err;
  }
  return { env, config, databaseUrl, prefix, mongoDb, drop };
}
