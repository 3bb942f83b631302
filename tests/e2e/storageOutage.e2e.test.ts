import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, eventTopics, viewChangedTopic } from '../../messaging/topics.ts';
import { loadConfig } from '../../platform/config.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import type { RunningRole } from '../../ops/roles/index.ts';
import { kafkaBrokers, mongoConnectionUrl, testKafka, uniqueId } from '../support/isolation.ts';
import { testLogger } from '../support/relayHarness.ts';

/**
 * The event store does not answer (its port refuses connections): a cancel must say so as a
 * retriable UNAVAILABLE, never as NOT_FOUND (regression: cancelOrder turned an outage into NOT_FOUND).
 */
describe('a store outage is UNAVAILABLE, never NOT_FOUND', () => {
  let serve: RunningRole;
  let url = '';
  beforeAll(async () => {
    const prefix = `${uniqueId('outage')}.`;
    const admin = testKafka('outage').admin();
    await admin.connect();
    await ensureTopics(admin, [...eventTopics(prefix), viewChangedTopic(prefix)], 1, 1);
    await admin.disconnect();
    const config = loadConfig({
      ORDERFLOW_ENV: 'test', ORDERFLOW_AUTH_MODE: 'dev', ORDERFLOW_HTTP_PORT: '0', LOG_LEVEL: 'silent',
      // Port 1 on loopback: nothing listens, every connection is refused at once.
      DATABASE_URL: 'postgres://orderflow:x@127.0.0.1:1/orderflow',
      KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: prefix, ORDERFLOW_TOPIC_PARTITIONS: '1',
      MONGO_URL: mongoConnectionUrl, MONGO_DB: uniqueId('outage'),
    });
    serve = await serveRole.start({ config, logger: testLogger });
    url = serve.url ?? '';
  });
  afterAll(() => serve?.stop());

  it('cancelOrder by a customer while Postgres is down', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev:c1:customer' },
      body: JSON.stringify({ query: 'mutation { cancelOrder(input: { orderId: "00000000-0000-4000-8000-000000000001", reason: "x" }) { id } }' }),
    });
    const body = (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
    expect(res.status).toBeLessThan(500);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAVAILABLE', retriable: true });
    expect(body.errors?.[0]?.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });
});
