import { LOCAL_STACK_DEFAULTS } from '../stack/ports.ts';

/**
 * Where the local stack (`stack/`, started by `npm start` and `npm test`) listens, read from the
 * same variables the stack reads (ORDERFLOW_PG_PORT, ORDERFLOW_KAFKA_PORT, ORDERFLOW_MONGO_PORT,
 * ORDERFLOW_REDIS_PORT). Outside production these are the defaults of DATABASE_URL, KAFKA_BROKERS,
 * MONGO_URL and REDIS_URL, so moving the stack to other ports moves the app with it.
 */
export interface LocalStackUrls {
  postgres: string;
  kafkaBrokers: string;
  mongo: string;
  redis: string;
}

type PortVariable = 'ORDERFLOW_PG_PORT' | 'ORDERFLOW_KAFKA_PORT' | 'ORDERFLOW_MONGO_PORT' | 'ORDERFLOW_REDIS_PORT';

function portOf(env: NodeJS.ProcessEnv, name: PortVariable): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  // A bad value is the stack's to report (stack/config.ts names the variable); here it means "default".
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : LOCAL_STACK_DEFAULTS[name];
}

/** The local stack's service addresses for this environment. */
export function localStackUrls(env: NodeJS.ProcessEnv = process.env): LocalStackUrls {
  const user = encodeURIComponent(env['ORDERFLOW_PG_USER'] || LOCAL_STACK_DEFAULTS.ORDERFLOW_PG_USER);
  const password = encodeURIComponent(env['ORDERFLOW_PG_PASSWORD'] || LOCAL_STACK_DEFAULTS.ORDERFLOW_PG_PASSWORD);
  return {
    postgres: `postgres://${user}:${password}@127.0.0.1:${portOf(env, 'ORDERFLOW_PG_PORT')}/orderflow`,
    kafkaBrokers: `127.0.0.1:${portOf(env, 'ORDERFLOW_KAFKA_PORT')}`,
    mongo: `mongodb://127.0.0.1:${portOf(env, 'ORDERFLOW_MONGO_PORT')}/?directConnection=true`,
    redis: `redis://127.0.0.1:${portOf(env, 'ORDERFLOW_REDIS_PORT')}`,
  };
}
