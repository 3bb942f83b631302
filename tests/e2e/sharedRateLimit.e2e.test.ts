import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ensureTopics, eventTopics, viewChangedTopic } from '../../messaging/topics.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, testKafka, uniqueId } from '../support/isolation.ts';
import { privateRedis, type PrivateRedis } from '../support/privateRedis.ts';
import { spawnServe, type ServeProcess } from '../support/serveProcess.ts';

/**
 * Done-when of issue 14: two API processes and one Redis enforce one budget; with Redis killed,
 * both keep serving (per-process fallback, logged once). Real `orderflow serve` child processes and
 * a Redis of this test's own (killed here, never the shared one).
 */
vi.setConfig({ testTimeout: 120_000 });
const BUDGET = 12;
const AUTH_FAILURES = 4;
const FALLBACK_LOG = 'Redis unreachable: rate limits fall back to per-process budgets';

let redis: PrivateRedis;
let replicas: ServeProcess[] = [];
let urls: string[] = [];

async function ask(url: string, authorization: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ health { status } }' }) });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code, retryAfter: res.headers.get('retry-after'), extensionRetryAfter: body.errors?.[0]?.extensions?.retryAfterSeconds };
}

/** `n` requests as `authorization`, alternating between the replicas, one after another. */
async function alternate(n: number, authorization: string) {
  const answers = [];
  for (let i = 0; i < n; i += 1) answers.push({ replica: i % 2, ...(await ask(urls[i % 2] ?? '', authorization)) });
  return answers;
}

const readiness = (url: string) => fetch(url.replace(/\/graphql$/, '/readyz')).then(async (r) => ({ status: r.status, checks: ((await r.json()) as { checks: unknown }).checks }));
const count = (text: string, needle: string) => text.split(needle).length - 1;

beforeAll(async () => {
  redis = await privateRedis();
  await redis.up();
  const prefix = `${uniqueId('rl')}.`;
  // The serve role consumes topics the relay and projector roles create; create them as they would.
  const admin = testKafka('rl').admin();
  await admin.connect();
  await ensureTopics(admin, [...eventTopics(prefix), viewChangedTopic(prefix)], 1, 1);
  await admin.disconnect();
  const env = {
    ORDERFLOW_ENV: 'test', ORDERFLOW_AUTH_MODE: 'dev', ORDERFLOW_HTTP_PORT: '0', LOG_LEVEL: 'info',
    DATABASE_URL: await freshPostgres('rl'), KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: prefix, ORDERFLOW_TOPIC_PARTITIONS: '1',
    MONGO_URL: mongoConnectionUrl, MONGO_DB: uniqueId('rl'),
    REDIS_URL: redis.url, ORDERFLOW_RATE_LIMIT_PER_MINUTE: String(BUDGET), ORDERFLOW_AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
  };
  replicas = [spawnServe(env), spawnServe(env)];
  urls = await Promise.all(replicas.map((r) => r.listening(90_000)));
}, 180_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await redis?.remove();
});

describe('two API processes, one Redis', () => {
  it('together accept exactly one budget per principal, then refuse with 429, RATE_LIMITED and Retry-After', async () => {
    const answers = await alternate(BUDGET + 8, 'Bearer dev:shared-a:customer');
    const accepted = answers.filter((a) => a.status === 200);
    expect(accepted).toHaveLength(BUDGET); // not 2 × BUDGET: both processes spend the one Redis budget
    expect(new Set(accepted.map((a) => a.replica))).toEqual(new Set([0, 1]));
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      expect(r).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
      expect(r.extensionRetryAfter).toBe(Number(r.retryAfter));
    }
    // Another principal has a budget of its own.
    expect((await ask(urls[1] ?? '', 'Bearer dev:shared-b:customer')).status).toBe(200);
  });

  it('count every one of many concurrent requests exactly (each replica coalesces them into batched Redis spends)', async () => {
    const answers = await Promise.all(Array.from({ length: 3 * BUDGET }, (_, i) => ask(urls[i % 2] ?? '', 'Bearer dev:shared-f:customer')));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(BUDGET);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.code)).toEqual(Array<string>(2 * BUDGET).fill('RATE_LIMITED'));
  });

  it('share one budget of failed authentications per address: HTTP 429 and WebSocket close 4429 once it is spent', async () => {
    const answers = await alternate(AUTH_FAILURES + 2, 'Bearer not-a-valid-token');
    expect(answers.map((a) => a.status)).toEqual([...Array<number>(AUTH_FAILURES).fill(401), 429, 429]);
    // Spent for the address: even a valid token is refused (guessing is bounded, not just failures).
    expect(await ask(urls[0] ?? '', 'Bearer dev:shared-c:customer')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const socket = new WebSocket((urls[1] ?? '').replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not-a-valid-token' } })));
    expect(await closed).toBe(4429);
  });

  it('with Redis killed, both keep serving on per-process budgets, log it once, and share again once it is back', async () => {
    const readyBefore = await Promise.all(urls.map(readiness));
    await redis.kill();
    await vi.waitFor(() => replicas.forEach((r) => expect(r.output()).toContain(FALLBACK_LOG)), { timeout: 10_000, interval: 100 });
    // Per-process fallback: each replica grants its own budget (the failed-auth counts of Redis are gone too).
    const answers = await alternate(2 * BUDGET + 4, 'Bearer dev:shared-d:customer');
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(answers.filter((a) => a.status === 200 && a.replica === 0)).toHaveLength(BUDGET);
    expect(answers.filter((a) => a.status === 200 && a.replica === 1)).toHaveLength(BUDGET);
    // Redis is no readiness dependency: a load balancer keeps both replicas.
    expect(await Promise.all(urls.map(readiness))).toEqual(readyBefore);
    // Several reconnect attempts later, still logged once per process.
    await new Promise((r) => setTimeout(r, 2_500));
    for (const r of replicas) expect(count(r.output(), FALLBACK_LOG)).toBe(1);

    await redis.up();
    await vi.waitFor(() => replicas.forEach((r) => expect(r.output()).toContain('Redis reachable again')), { timeout: 15_000, interval: 100 });
    const shared = await alternate(BUDGET + 4, 'Bearer dev:shared-e:customer');
    expect(shared.filter((a) => a.status === 200)).toHaveLength(BUDGET);
  });
});
