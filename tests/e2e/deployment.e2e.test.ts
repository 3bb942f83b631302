import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadStackConfig } from '../../stack/config.ts';
import { postgresUrl } from '../../stack/postgres.ts';
import { redisUrl } from '../../stack/redis.ts';
import { ensureTopics, eventTopics, viewChangedTopic } from '../../messaging/topics.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, testKafka, uniqueId } from '../support/isolation.ts';
import { dockerfileEnv, spawnServe, type ServeProcess } from '../support/serveProcess.ts';

/**
 * Deployment posture, tested the way an attacker and a new user meet it: the real CLI in a child
 * process with only the environment a deployment gives it. Each case is its own process (about
 * 15 s of tsx start-up on this busy box; run one after another, concurrent starts only thrash it).
 */
vi.setConfig({ testTimeout: 120_000 });
const SECRET = randomBytes(32).toString('hex');
const started: ServeProcess[] = [];
let databaseUrl = '';
let prodDatabaseUrl = '';
let isolation: Record<string, string> = {};

async function post(url: string, authorization?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
    body: JSON.stringify({ query: '{ health { status } }' }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code, data: body.data };
}

function serve(env: Record<string, string>): ServeProcess {
  const p = spawnServe(env);
  started.push(p);
  return p;
}

beforeAll(async () => {
  databaseUrl = await freshPostgres('deploy');
  // Production refuses the stack's default password, so production runs use a role of their own.
  const role = uniqueId('deploy_role').toLowerCase();
  const password = randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: postgresUrl(loadStackConfig()) });
  await admin.connect();
  const db = new URL(databaseUrl).pathname.slice(1);
  await admin.query(`create role ${role} login password '${password}'`);
  await admin.query(`grant all on database "${db}" to ${role}`);
  await admin.end();
  const u = new URL(databaseUrl);
  u.username = role;
  u.password = password;
  prodDatabaseUrl = u.toString();
  const prefix = `${uniqueId('deploy')}.`;
  // The serve role consumes topics the relay and projector roles create; create them as they would.
  const kafkaAdmin = testKafka('deploy').admin();
  await kafkaAdmin.connect();
  await ensureTopics(kafkaAdmin, [...eventTopics(prefix), viewChangedTopic(prefix)], 1, 1);
  await kafkaAdmin.disconnect();
  isolation = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    ORDERFLOW_TOPIC_PREFIX: prefix,
    ORDERFLOW_TOPIC_PARTITIONS: '1',
    MONGO_DB: uniqueId('deploy'),
    ORDERFLOW_HTTP_PORT: '0',
  };
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

describe('started the way the Dockerfile starts it', () => {
  it('sets production explicitly', () => {
    expect(dockerfileEnv()).toMatchObject({ NODE_ENV: 'production', ORDERFLOW_ENV: 'production', ORDERFLOW_HTTP_HOST: '0.0.0.0' });
  });

  it('with nothing else set, refuses to start and names the missing variable in one line', async () => {
    const { code, output } = await serve({ ...dockerfileEnv(), ...isolation }).exited();
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^orderflow: invalid ORDERFLOW_JWT_SECRET: required in jwt auth mode/);
  });

  it('refuses the stack default database password', async () => {
    const env = { ...dockerfileEnv(), ...isolation, ORDERFLOW_JWT_SECRET: SECRET, ORDERFLOW_JWT_ISSUER: 'it', ORDERFLOW_JWT_AUDIENCE: 'orderflow', DATABASE_URL: databaseUrl, MONGO_URL: mongoConnectionUrl };
    const { code, output } = await serve(env).exited();
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^orderflow: invalid DATABASE_URL: uses the development default password/);
    expect(output).not.toContain(databaseUrl);
  });

  it('without a consistency key, the serve role refuses to start (no development key in production)', async () => {
    const env = { ...dockerfileEnv(), ...isolation, ORDERFLOW_JWT_SECRET: SECRET, ORDERFLOW_JWT_ISSUER: 'it', ORDERFLOW_JWT_AUDIENCE: 'orderflow', DATABASE_URL: prodDatabaseUrl, MONGO_URL: mongoConnectionUrl };
    const { code, output } = await serve(env).exited();
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^orderflow: invalid ORDERFLOW_CONSISTENCY_KEY: required in production/);
  });

  it('configured for production, refuses dev tokens, accepts signed ones and serves no GraphiQL', async () => {
    const env = {
      ...dockerfileEnv(), ...isolation, ORDERFLOW_JWT_SECRET: SECRET, ORDERFLOW_JWT_ISSUER: 'it', ORDERFLOW_JWT_AUDIENCE: 'orderflow', DATABASE_URL: prodDatabaseUrl, MONGO_URL: mongoConnectionUrl,
      ORDERFLOW_CONSISTENCY_KEY: randomBytes(32).toString('hex'), REDIS_URL: redisUrl(loadStackConfig()),
    };
    const url = await serve(env).listening();
    expect(await post(url, 'Bearer dev:anyone:operator')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const jwt = await new SignJWT({ roles: ['operator'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('op').setIssuer('it').setAudience('orderflow').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
    expect(await post(url, `Bearer ${jwt}`)).toMatchObject({ status: 200, data: { health: { status: expect.any(String) } } });
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
  });
});

describe('started with no environment', () => {
  it('bound to 0.0.0.0, refuses dev tokens', async () => {
    const url = await serve({ ...isolation, ORDERFLOW_HTTP_HOST: '0.0.0.0', DATABASE_URL: databaseUrl, MONGO_URL: mongoConnectionUrl }).listening();
    expect(await post(url, 'Bearer dev:anyone:operator')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await post(url)).toMatchObject({ status: 200 });
  });

  it('bound to loopback (the npm start quick start), accepts them', async () => {
    const url = await serve({ ...isolation, DATABASE_URL: databaseUrl, MONGO_URL: mongoConnectionUrl }).listening();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(await post(url, 'Bearer dev:anyone:operator')).toMatchObject({ status: 200 });
    const page = await (await fetch(url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('GraphiQL');
    expect(page).not.toContain('dev:');
  });
});
