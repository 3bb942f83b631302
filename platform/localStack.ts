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

const DEFAULT_PORTS = { ORDERFLOW_PG_PORT: 5433, ORDERFLOW_KAFKA_PORT: 9092, ORDERFLOW_MONGO_PORT: 27017, ORDERFLOW_REDIS_PORT: 6380 } as const;

function portOf(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULT_PORTS): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  // A bad value is the stack's to report (stack/config.ts names the variable); here it means "default".
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : DEFAULT_PORTS[name];
}

/** The local stack's service addresses for this environment. */
export function localStackUrls(env: NodeJS.ProcessEnv = process.env): LocalStackUrls {
  const user = encodeURIComponent(env['ORDERFLOW_PG_USER'] || 'orderflow');
  const password = encodeURIComponent(env['ORDERFLOW_PG_PASSWORD'] || 'orderflow');
  return {
    postgres: `postgres://${user}:${password}@127.0.0.1:${portOf(env, 'ORDERFLOW_PG_PORT')}/orderflow`,
    kafkaBrokers: `127.0.0.1:${portOf(env, 'ORDERFLOW_KAFKA_PORT')}`,
    mongo: `mongodb://127.0.0.1:${portOf(env, 'ORDERFLOW_MONGO_PORT')}/?directConnection=true`,
    redis: `redis://127.0.0.1:${portOf(env, 'ORDERFLOW_REDIS_PORT')}`,
  };
}
