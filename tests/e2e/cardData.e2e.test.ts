import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import { createLogger } from '../../platform/logger.ts';
import { runCli } from '../support/cli.ts';
import { cliEnv } from '../support/cli.ts';
import { startApp, tokens, type TestApp } from '../support/app.ts';
import { testKafka } from '../support/isolation.ts';
import { collect } from '../support/kafkaCollector.ts';

/**
 * No card data anywhere we keep: after the sandbox payment flow (one order authorised, one
 * declined), the card tokens are in none of the events table, the Kafka topics (event families,
 * views.changed, dead-letter topics), the dead-letter collection and the logs at debug level.
 * Only the simulated provider's own vault holds them (the control that the search can find them).
 */
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };
const CARD_TOKENS = ['tok_visa', 'tok_declined'];

describe('card data stays out of events, Kafka, dead letters and logs', () => {
  let app: TestApp;
  let logs = '';
  beforeAll(async () => {
    const logger = createLogger({ logLevel: 'debug', env: 'test' }, { write: (line: string) => void (logs += line) });
    app = await startApp('carddata', [relayRole, projectRole, sagaRole, serveRole], { SAGA_TIMEOUT_MS: '20000' }, logger);
    const r = await app.gql(`mutation { defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1250, currency: "EUR" } }) { id } restock(input: { sku: "MUG", quantity: 10 }) { id } }`, {}, tokens.staff);
    expect(r.errors).toBeUndefined();
  }, 120_000);
  afterAll(() => app?.stop());

  it('after an authorised and a declined order, no store, topic or log holds a card token', async () => {
    const ids: string[] = [];
    for (const paymentToken of CARD_TOKENS) {
      const placed = await app.gql<{ placeOrder: { id: string } }>(PLACE, { input: { customerId: 'c1', lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken } }, tokens.customer('c1'));
      expect(placed.errors).toBeUndefined();
      ids.push(placed.data!.placeOrder.id);
    }
    // The sandbox flow ran to its end: authorised → confirmed, declined → rejected.
    await expect.poll(async () => {
      const { rows } = await app.pool.query<{ type: string }>(`select type from events where type in ('OrderConfirmed', 'OrderRejected') order by type`);
      return rows.map((r) => r.type);
    }, { timeout: 60_000, interval: 250 }).toEqual(['OrderConfirmed', 'OrderRejected']);

    const { rows: refs } = await app.pool.query<{ ref: string; token: string }>('select ref, token from sandbox_payment_methods order by token');
    expect(refs.map((r) => r.token).sort()).toEqual([...CARD_TOKENS].sort()); // the control: the search target exists
    const { rows: placedRows } = await app.pool.query<{ ref: string }>(`select data->>'paymentRef' as ref from events where type = 'OrderPlaced'`);
    expect(placedRows.map((r) => r.ref).sort()).toEqual(refs.map((r) => r.ref).sort());

    const { rows: events } = await app.pool.query<{ text: string }>('select data::text || metadata::text as text from events');
    const eventText = events.map((e) => e.text).join('\n');

    const kafka = testKafka('carddata');
    const admin = kafka.admin();
    await admin.connect();
    const prefix = app.config.kafka.topicPrefix;
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    let expected = 0;
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) expected += Number(p.high);
    await admin.disconnect();
    expect(topics.some((t) => t.includes('dlq.'))).toBe(true);
    const collector = await collect(kafka, topics);
    await collector.waitFor((all) => all.length >= expected, 30_000);
    await collector.stop();
    const kafkaText = collector.messages.map((m) => `${m.value} ${JSON.stringify(m.headers)}`).join('\n');
    expect(collector.messages.length).toBeGreaterThan(0);

    const deadLetters = JSON.stringify(await app.mongo.db(app.config.mongo.db).collection('dead_letters').find().toArray());

    for (const token of CARD_TOKENS) {
      expect(eventText, `events table holds ${token}`).not.toContain(token);
      expect(kafkaText, `Kafka holds ${token}`).not.toContain(token);
      expect(deadLetters, `dead letters hold ${token}`).not.toContain(token);
      expect(logs, `logs hold ${token}`).not.toContain(token);
    }
    expect(logs.length).toBeGreaterThan(1000); // debug logging really ran
  }, 120_000);

  it('orderflow events redact-payment-tokens rewrites old rows that still hold a token, in place', async () => {
    // An OrderPlaced v2 as written before this change, with a card token in it.
    const { rows: [placed] } = await app.pool.query<{ data: Record<string, unknown>; stream_id: string }>(`select data, stream_id from events where type = 'OrderPlaced' limit 1`);
    const legacy: Record<string, unknown> = { ...placed!.data, paymentToken: 'tok_legacy_4242' };
    delete legacy['paymentRef'];
    await app.pool.query(
      `insert into events (event_id, stream_id, stream_version, type, version, data, source, correlation_id, occurred_at) values (gen_random_uuid(), 'order-legacy-1', 1, 'OrderPlaced', 2, $1, 'test', 'legacy', now())`,
      [JSON.stringify(legacy)],
    );
    const env = cliEnv({ databaseUrl: app.config.postgres.url, mongoDb: app.config.mongo.db, prefix: app.config.kafka.topicPrefix });
    const first = await runCli(['events', 'redact-payment-tokens', '--batch-size', '10'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/batch 1: redacted 1 event\(s\), positions \d+\.\.\d+/);
    expect(first.stdout).toMatch(/redacted the card token of 1 OrderPlaced event\(s\) in 1 batch\(es\)/);
    const { rows } = await app.pool.query<{ text: string; version: number }>(`select data::text as text, version from events where stream_id = 'order-legacy-1'`);
    expect(rows[0]?.text).not.toContain('tok_legacy_4242');
    expect(rows[0]?.version).toBe(2);
    const again = await runCli(['events', 'redact-payment-tokens', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ redacted: 0, batches: 0 });
  }, 120_000);
});
