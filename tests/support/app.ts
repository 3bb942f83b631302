import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import pg from 'pg';
import { MongoClient } from 'mongodb';
import { loadConfig, type AppConfig } from '../../platform/config.ts';
import { migrateDatabase } from '../../ops/database.ts';
import type { Role, RunningRole } from '../../ops/roles/index.ts';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, uniqueId } from './isolation.ts';
import { testLogger } from './relayHarness.ts';
import type { Logger } from '../../platform/logger.ts';

/** A running orderflow (chosen roles, in-process) on isolated Postgres database, Mongo database and topic prefix. */
export interface TestApp {
  config: AppConfig;
  /** The environment the config was loaded from (to start a role in a child process on the same isolation). */
  env: Record<string, string>;
  url: string;
  wsUrl: string;
  pool: pg.Pool;
  mongo: MongoClient;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  ws(token?: string): Client;
  stop(): Promise<void>;
}

/** Dev-mode bearer tokens. */
export const tokens = {
  staff: 'dev:alice:staff',
  operator: 'dev:olga:operator',
  customer: (id: string) => `dev:${id}:customer`,
};

/** Starts the app with `roles` (relay, projectors and the API by default). */
export async function startApp(tag: string, roles: readonly Role[] = [relayRole, projectRole, serveRole], env: Record<string, string> = {}, logger: Logger = testLogger): Promise<TestApp> {
  const databaseUrl = await freshPostgres(tag);
  const appEnv: Record<string, string> = {
    ORDERFLOW_ENV: 'test', ORDERFLOW_AUTH_MODE: 'dev', ORDERFLOW_HTTP_PORT: '0', DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: `${uniqueId(tag)}.`, ORDERFLOW_TOPIC_PARTITIONS: '3',
    MONGO_URL: mongoConnectionUrl, MONGO_DB: uniqueId(tag), ORDERFLOW_RATE_LIMIT_PER_MINUTE: '100000', ORDERFLOW_AUTH_FAILURES_PER_MINUTE: '100000', LOG_LEVEL: 'error',
    // Tests open many sockets from one address and one subject (1,000 dashboard subscribers).
    ORDERFLOW_WS_MAX_SOCKETS_PER_IP: '100000', ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT: '100000', ...env,
  };
  const config = loadConfig(appEnv);
  await migrateDatabase(config);
  const running: RunningRole[] = [];
  for (const role of roles) running.push(await role.start({ config, logger }));
  const url = running.find((r) => r.url)?.url ?? '';
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const mongo = new MongoClient(mongoConnectionUrl);
  await mongo.connect();
  const clients: Client[] = [];
  return {
    config, env: appEnv, url, wsUrl: url.replace(/^http/, 'ws'), pool, mongo,
    async gql(query, variables = {}, token) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    ws(token) {
      const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      for (const r of running.reverse()) await r.stop();
      await mongo.db(config.mongo.db).dropDatabase().catch(() => undefined);
      await mongo.close();
      await pool.end();
    },
  };
}

/** Collects subscription payloads until `count` arrived (or the timeout). */
export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): { items: T[]; errors: unknown[]; waitFor(n: number, ms?: number): Promise<T[]>; stop(): void } {
  const items: T[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<T>({ query, variables }, {
    next: (v) => (v.data ? items.push(v.data as T) : errors.push(v.errors)),
    // A CloseEvent or ErrorEvent serialises as {}: keep what tells the cause.
    error: (e) => errors.push(e instanceof Error ? e.message : { ...(e as object), code: (e as { code?: unknown }).code, reason: (e as { reason?: unknown }).reason, message: (e as { message?: unknown }).message }),
    complete: () => undefined,
  });
  return {
    items, errors, stop,
    async waitFor(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (items.length < n) {
        if (errors.length > 0) throw new Error(`subscription error: ${JSON.stringify(errors)}`);
        if (Date.now() > deadline) throw new Error(`only ${items.length}/${n} subscription messages within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return items;
    },
  };
}
