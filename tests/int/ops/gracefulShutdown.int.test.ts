import type { Admin } from 'kafkajs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { MongoClient, Db } from 'mongodb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../command-side/notifications/smtpSink.ts';
import { notifyGroup } from '../../../command-side/notifications/runtime/notificationWorker.ts';
import type { Relay } from '../../../command-side/outbox/relay.ts';
import { sagaGroup } from '../../../command-side/saga/runtime/sagaWorker.ts';
import type { CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { ensureTopics, eventTopics, familyTopic } from '../../../messaging/topics.ts';
import { orderDetailProjection } from '../../../projector/projections/order_detail.ts';
import { projectorGroup } from '../../../projector/runner/projectorWorker.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { freshMongo, mongoConnectionUrl, testKafka, uniqueId } from '../../support/isolation.ts';
import { collect, type Collected, type Collector } from '../../support/kafkaCollector.ts';
import { confirmOrder, placeOrder, seedProduct } from '../../support/orders.ts';
import { restockEvent, testRelay } from '../../support/relayHarness.ts';
import { freeTcpPort, metricSum, spawnRole, type RoleProcess } from '../../support/roleProcess.ts';
import { waitUntil } from '../../support/saga.ts';

/**
 * Graceful shutdown, per role, as a real child process: SIGTERM while it works → it stops taking
 * work, finishes what it holds, flushes and commits, leaves its consumer groups (state Empty right
 * after the exit, so a replacement need not wait for a session to expire) and exits 0 within the
 * configured deadline. "No commit without the work": everything below a committed offset is done.
 */
const DEADLINE_MS = 15_000;
const ORDERS = 120;

const SERVE_REQUESTS = 30;

/** A placeOrder whose headers are sent at once and whose body waits for `release()`. */
interface HeldRequest {
  release(): void;
  answer: Promise<{ status: number; text: string; id: string | undefined }>;
}

function heldPlaceOrder(port: number, i: number): HeldRequest {
  const body = JSON.stringify({
    query: `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }`,
    variables: { i: { customerId: `s${i}`, lines: [{ sku: 'DRAIN-SKU', quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' } } },
  });
  const req = httpRequest({
    host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false,
    headers: { 'content-type': 'application/json', authorization: `Bearer dev:s${i}:customer`, 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<{ status: number; text: string; id: string | undefined }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', reject);
      res.on('end', () => {
        let id: string | undefined;
        try {
          id = (JSON.parse(text) as { data?: { placeOrder?: { id?: string } } }).data?.placeOrder?.id;
        } catch {
          id = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, id });
      });
    });
  });
  req.flushHeaders();
  return { release: () => req.end(body), answer };
}

/** Whether a new TCP connection to `port` is refused (nothing listens any more). */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Committed offsets of `group` on `topic`, per partition (absent = nothing committed). */
async function committed(admin: Admin, group: string, topic: string): Promise<Map<number, bigint>> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((t?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n).map((p) => [p.partition, BigInt(p.offset)]));
}

/** Messages below the committed offset of their partition. */
function below(messages: Collected[], offsets: Map<number, bigint>): Collected[] {
  return messages.filter((m) => BigInt(m.offset) < (offsets.get(m.partition) ?? 0n));
}

async function expectLeftGroups(admin: Admin, groups: string[]): Promise<void> {
  const { groups: described } = await admin.describeGroups(groups);
  for (const g of described) expect({ group: g.groupId, state: g.state, members: g.members.length }).toEqual({ group: g.groupId, state: 'Empty', members: 0 });
}

async function expectDrained(p: RoleProcess): Promise<void> {
  const r = await p.stop();
  expect(r, p.tail(15).join('\n')).toMatchObject({ code: 0, signal: null });
  expect(r.ms).toBeLessThan(DEADLINE_MS);
  expect(p.lines.some((l) => l.includes('"msg":"role stopped"'))).toBe(true);
}

describe('graceful shutdown of each role (real child processes, SIGTERM mid-work)', () => {
  let pool: pg.Pool;
  let handler: CommandHandler;
  let databaseUrl: string;
  let admin: Admin;
  let mongo: { client: MongoClient; db: Db; name: string };
  let collector: Collector;
  let relay: Relay;
  let sink: SmtpSink;
  const prefix = `${uniqueId('drain')}.`;
  const running: RoleProcess[] = [];
  const env = () => ({ MONGO_URL: mongoConnectionUrl, MONGO_DB: mongo.name, ORDERFLOW_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS), ORDERFLOW_SMTP_SINK: 'off', SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), PAYMENT_SANDBOX_LATENCY_MS: '30' });
  const start = async (role: string) => {
    const p = spawnRole({ args: [role], databaseUrl, topicPrefix: prefix, opsPort: await freeTcpPort(), env: env() });
    running.push(p);
    await p.ready();
    return p;
  };

  beforeAll(async () => {
    ({ pool, handler } = await freshEventStore('drain', 12));
    databaseUrl = (pool.options as { connectionString: string }).connectionString;
    admin = testKafka('drain-admin').admin();
    await admin.connect();
    await ensureTopics(admin, eventTopics(prefix), 3, 1);
    mongo = await freshMongo('drain');
    sink = await startSmtpSink({ port: 0 });
    collector = await collect(testKafka('drain'), eventTopics(prefix));
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await relay?.stop();
    await collector?.stop();
    await sink?.stop();
    await admin?.disconnect();
    await mongo?.client.close();
    await pool?.end();
  });

  it('relay: the batch in flight is acked and checkpointed; Kafka holds exactly the checkpointed events, no duplicate', async () => {
    // A database and topics of its own: 4,000 restocks would only slow the consumer roles below.
    const own = await freshEventStore('drainrelay', 4);
    const relayPrefix = `${uniqueId('drainrelay')}.`;
    await ensureTopics(admin, eventTopics(relayPrefix), 3, 1);
    const relayCollector = await collect(testKafka('drainrelay'), [familyTopic(relayPrefix, 'inventory')]);
    for (let i = 0; i < 40; i++) await own.store.append(`inventory-DRAIN${i}`, 0, Array.from({ length: 100 }, () => restockEvent(`DRAIN${i}`)));
    const p = spawnRole({ args: ['relay'], databaseUrl: (own.pool.options as { connectionString: string }).connectionString, topicPrefix: relayPrefix, opsPort: await freeTcpPort(), env: env() });
    running.push(p);
    await p.ready();
    await waitUntil('relay publishing', async () => metricSum((await p.ops('/metrics')).text, 'orderflow_relay_published_total') > 0, 30_000, 20);
    const metrics = (await p.ops('/metrics')).text;
    expect(metrics).toMatch(/^orderflow_outbox_backlog_rows \d+/m);
    expect((await p.ops('/healthz')).status).toBe(200);
    await expectDrained(p);
    const { rows } = await own.pool.query<{ n: string }>(
      `select count(*) as n from events e where (e.transaction_id, e.global_position) <= (select transaction_id, global_position from log_checkpoints where name = 'relay')`,
    );
    const checkpointed = Number(rows[0]?.n);
    await new Promise((r) => setTimeout(r, 1500)); // let the collector read what is there
    const inventory = relayCollector.messages;
    await relayCollector.stop();
    await own.pool.end();
    console.log(`relay drain: ${checkpointed}/4000 checkpointed at SIGTERM, ${inventory.length} on Kafka`);
    expect(checkpointed).toBeGreaterThan(0);
    expect(inventory.length).toBe(checkpointed);
    expect(new Set(inventory.map((m) => m.eventId)).size).toBe(inventory.length);
    // Publish the rest in-process for the consumer roles below.
    relay = testRelay(databaseUrl, prefix);
    relay.start();
  }, 240_000);

  it('project: views hold every order below the committed offsets; the groups are left; lag is on /metrics', async () => {
    await seedProduct(handler, 'DRAIN-SKU', 500, 100_000);
    const placed = await Promise.all(Array.from({ length: ORDERS }, (_, i) => placeOrder(handler, pool, `c${i % 7}`, [{ sku: 'DRAIN-SKU', quantity: 1 }])));
    const ordersTopic = familyTopic(prefix, 'orders');
    await collector.waitFor((m) => m.filter((x) => x.topic === ordersTopic).length >= ORDERS, 30_000);
    const p = await start('project');
    await waitUntil('projector applying', async () => metricSum((await p.ops('/metrics')).text, 'orderflow_projector_events_applied_total') > 0, 30_000, 20);
    const metrics = (await p.ops('/metrics')).text;
    expect(metrics).toMatch(/^orderflow_consumer_lag\{group="[^"]*projector\.order_detail"/m);
    await expectDrained(p);
    const group = projectorGroup(prefix, orderDetailProjection);
    await expectLeftGroups(admin, [group]);
    const offsets = await committed(admin, group, ordersTopic);
    const done = below(collector.messages.filter((m) => m.topic === ordersTopic && m.headers.type === 'OrderPlaced'), offsets);
    const coll = (await mongo.db.listCollections().toArray()).map((c) => c.name).find((n) => /^order_detail__g\d+$/.test(n));
    const ids = new Set((await mongo.db.collection(coll ?? 'order_detail__g1').find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
    console.log(`project drain: ${done.length}/${placed.length} OrderPlaced committed, ${ids.size} order_detail documents`);
    expect(done.length).toBeGreaterThan(0);
    for (const m of done) expect(ids.has(m.streamId.replace(/^order-/, '')) || ids.has(m.streamId)).toBe(true);
  }, 240_000);

  it('saga: every OrderPlaced below the committed offset had its step; the group is left', async () => {
    const p = await start('saga');
    await waitUntil('saga stepping', async () => Number((await pool.query<{ n: string }>("select count(*) as n from events where source = 'orderflow/saga'")).rows[0]?.n) > 0, 30_000, 20);
    expect((await p.ops('/metrics')).text).toMatch(/^orderflow_consumer_lag\{group="[^"]*saga\.fulfilment"/m);
    await expectDrained(p);
    await expectLeftGroups(admin, [sagaGroup(prefix)]);
    const ordersTopic = familyTopic(prefix, 'orders');
    const offsets = await committed(admin, sagaGroup(prefix), ordersTopic);
    const done = below(collector.messages.filter((m) => m.topic === ordersTopic && m.headers.type === 'OrderPlaced'), offsets);
    // Each saga step names the event it reacts to as its causation.
    const { rows } = await pool.query<{ causation_id: string }>("select distinct causation_id from events where source = 'orderflow/saga'");
    const stepped = new Set(rows.map((r) => r.causation_id));
    console.log(`saga drain: ${done.length} OrderPlaced committed, ${stepped.size} events reacted to`);
    expect(done.length).toBeGreaterThan(0);
    for (const m of done) expect(stepped.has(m.eventId), m.streamId).toBe(true);
  }, 240_000);

  it('notify: every confirmation below the committed offset has its mail; the group is left', async () => {
    await seedProduct(handler, 'DRAIN-N', 300, 10_000);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await placeOrder(handler, pool, `n${i}`, [{ sku: 'DRAIN-N', quantity: 1 }], 'tok_visa'));
    await Promise.all(ids.map((id) => confirmOrder(handler, id, [{ sku: 'DRAIN-N', quantity: 1 }]).catch(() => undefined)));
    const p = await start('notify');
    await waitUntil('notifier sending', async () => sink.messages().length > 0, 30_000, 20);
    await expectDrained(p);
    await expectLeftGroups(admin, [notifyGroup(prefix)]);
    const ordersTopic = familyTopic(prefix, 'orders');
    const offsets = await committed(admin, notifyGroup(prefix), ordersTopic);
    const done = below(collector.messages.filter((m) => m.topic === ordersTopic && m.headers.type === 'OrderConfirmed'), offsets);
    const mailed = sink.messages().map((m) => m.subject);
    console.log(`notify drain: ${done.length} confirmations committed, ${mailed.length} mails`);
    expect(done.length).toBeGreaterThan(0);
    for (const m of done) expect(mailed.some((s) => s.includes(m.streamId.replace(/^order-/, ''))), m.streamId).toBe(true);
  }, 240_000);

  it('serve: requests already received are answered, new connections are refused, exit 0', async () => {
    const port = await freeTcpPort();
    const p = spawnRole({ args: ['serve'], databaseUrl, topicPrefix: prefix, env: { ...env(), ORDERFLOW_HTTP_PORT: String(port), ORDERFLOW_AUTH_MODE: 'dev' } });
    running.push(p);
    await waitUntil('serve listening', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200, 120_000, 100);
    // Each request's headers go now and its body only after the SIGTERM: the server provably holds
    // N received, unanswered requests when it is told to stop, however loaded the box is.
    const held = Array.from({ length: SERVE_REQUESTS }, (_, i) => heldPlaceOrder(port, i));
    const graphqlInFlight = async () => metricSum(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'orderflow_http_requests_in_flight', (l) => l.includes('route="/graphql"'));
    await waitUntil(`${SERVE_REQUESTS} placeOrder requests received`, async () => (await graphqlInFlight()) >= SERVE_REQUESTS, 60_000, 50);
    const stopping = p.stop();
    // The listener closes while those requests are still open (well within the drain's grace period).
    await waitUntil('new connections refused', () => connectionRefused(port), 5_000, 20);
    expect(p.exited()).toBe(false);
    for (const h of held) h.release();
    const answers = await Promise.allSettled(held.map((h) => h.answer));
    const outcomes = answers.map((a) => (a.status === 'rejected' ? `error ${String(a.reason)}` : a.value.id ? 'ok' : `${a.value.status} ${a.value.text.slice(0, 200)}`));
    const ok = answers.flatMap((a) => (a.status === 'fulfilled' && a.value.id ? [a.value.id] : []));
    const r = await stopping;
    expect(r, p.tail(15).join('\n')).toMatchObject({ code: 0, signal: null });
    expect(await connectionRefused(port)).toBe(true);
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
    const tally = [...counts].map(([o, n]) => `${n}x ${o}`).join('; ');
    console.log(`serve drain: ${ok.length}/${SERVE_REQUESTS} received placeOrder acknowledged after SIGTERM (${tally}), exit in ${r.ms} ms`);
    expect(ok.length, tally).toBe(SERVE_REQUESTS);
    const { rows } = await pool.query<{ stream_id: string }>("select stream_id from events where type = 'OrderPlaced'");
    const stored = new Set(rows.map((x) => x.stream_id));
    for (const id of ok) expect(stored.has(id) || stored.has(`order-${id}`), id).toBe(true);
  }, 240_000);
});
