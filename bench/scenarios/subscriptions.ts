import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { inventoryCommands } from '../../command-side/handlers/inventory.ts';
import { viewChangedTopic } from '../../messaging/topics.ts';
import { parseViewChanged } from '../../projector/runner/viewChanged.ts';
import { tokens } from '../../tests/support/app.ts';
import { testKafka } from '../../tests/support/isolation.ts';
import { ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { startBenchApp } from '../lib/app.ts';
import { now, sleep, waitUntil } from '../lib/clock.ts';
import { startFleet, type WsFleet } from '../lib/wsFleet.ts';
import { profileWindow } from '../lib/profiler.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const SKU = 'BENCH-SUB';
const SUB = `subscription($skus: [String!]!) { inventoryChanged(skus: $skus) { token item { sku onHand available } } }`;
const OPEN_BATCH = 250;

interface Deliveries {
  keys: number[];
  clients: number[];
  times: number[];
}

/** Per change key: deliveries, first and last arrival. */
function byKey(d: Deliveries): Map<number, { count: number; first: number; last: number; times: number[] }> {
  const out = new Map<number, { count: number; first: number; last: number; times: number[] }>();
  d.keys.forEach((k, i) => {
    const t = d.times[i] ?? 0;
    const e = out.get(k) ?? { count: 0, first: t, last: t, times: [] };
    e.count++;
    e.first = Math.min(e.first, t);
    e.last = Math.max(e.last, t);
    e.times.push(t);
    out.set(k, e);
  });
  return out;
}

/** Raw baseline: a bare `ws` server broadcasting a same-sized JSON message to the same number of plain sockets. */
async function rawBroadcast(subscribers: number, changes: number, payloadBytes: number): Promise<{ latencies: number[]; windows: number; delivered: number; open: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const fleet = await startFleet();
  try {
    const { port } = wss.address() as AddressInfo;
    const opened = await fleet.open({ mode: 'raw', url: `ws://127.0.0.1:${port}`, count: subscribers, batch: OPEN_BATCH });
    const pad = 'x'.repeat(Math.max(0, payloadBytes - JSON.stringify({ k: changes, pad: '' }).length));
    const latencies: number[] = [];
    let windows = 0;
    let delivered = 0;
    for (let k = 1; k <= changes; k++) {
      const sentAt = now();
      const msg = JSON.stringify({ k, pad });
      for (const ws of wss.clients) ws.send(msg);
      await waitUntil(async () => (await fleet.status()).deliveries >= opened.open, 10_000, 5);
      const d = byKey(await fleet.collect()).get(k);
      if (d) {
        for (const t of d.times) latencies.push(t - sentAt);
        windows += d.last - sentAt;
        delivered += d.count;
      }
      await sleep(100);
    }
    return { latencies, windows, delivered, open: opened.open };
  } finally {
    await fleet.close();
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  }
}

const FULL_SUBSCRIBERS = 10_000;
const TARGET_RATE = 25_000;

/** Subscriber count: 10,000 (quick: 500), or BENCH_SUBSCRIBERS (e.g. a quick run at full scale). */
function subscriberCount(quick: boolean): number {
  const n = Number(process.env['BENCH_SUBSCRIBERS']);
  return Number.isInteger(n) && n > 0 ? n : quick ? 500 : FULL_SUBSCRIBERS;
}

const rssMiB = () => round(process.memoryUsage().rss / 2 ** 20);

/**
 * Scenario 7: N graphql-ws subscribers (10,000; quick 500), one graphql-ws client per socket, opened
 * in batches of 250 from a child process, all on `inventoryChanged(skus: ["BENCH-SUB"])`. Each change
 * is a `restock` through the command handler; a delivery's latency runs from the command's
 * acknowledgement to the message arriving at the socket. Baseline: a bare `ws` broadcast of a
 * same-sized message to the same number of sockets (send → arrival).
 */
export const subscriptionsScenario: Scenario = async ({ quick, log }) => {
  const subscribers = subscriberCount(quick);
  const changes = quick ? 3 : 10;
  const notes: string[] = [];
  const figures: Figure[] = [];
  const app = await startBenchApp('bench_subs');
  const pool = new pg.Pool({ connectionString: app.config.postgres.url, max: 4 });
  const consumer = testKafka('bench-subs').consumer({ groupId: `${app.config.kafka.topicPrefix}bench.${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  let fleet: WsFleet | undefined;
  try {
    const stock = inventoryCommands(createCommandHandler({ store: createEventStore(pool) }));
    let onHand = 0;
    const restock = async () => {
      await stock.restock({ sku: SKU, quantity: 1 }, { correlationId: randomUUID() });
      onHand++;
      return { key: onHand, ackAt: now() };
    };
    await restock();
    // When the API's hub could have seen each change: the bench's own consumer of the same topic.
    const notifiedAt: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: viewChangedTopic(app.config.kafka.topicPrefix), fromBeginning: false });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const c = parseViewChanged(message.value);
        if (c?.projection === 'inventory' && (c.touched['inventory'] ?? []).includes(SKU)) notifiedAt.push(now());
      },
    });
    await joined;

    fleet = await startFleet();
    const rssBefore = rssMiB();
    const o0 = now();
    const opened = await fleet.open({ mode: 'graphql', url: app.wsUrl, token: tokens.staff, count: subscribers, batch: OPEN_BATCH, query: SUB, variables: { skus: [SKU] } });
    log(`  ${opened.open}/${subscribers} sockets connected in ${((now() - o0) / 1000).toFixed(1)} s (${opened.failed} failed${opened.firstError ? `, first error: ${opened.firstError}` : ''})`);
    if (opened.failed > 0) notes.push(`${opened.failed} of ${subscribers} sockets failed to connect (first error: ${opened.firstError ?? '?'})`);

    // Barrier: changes until every socket has received one (subscriptions registered server-side).
    const live = await waitUntil(async () => {
      await restock();
      await sleep(1000);
      return (await fleet?.status())?.receivedBy === opened.open;
    }, 60_000, 0);
    const warm = await fleet.status();
    await fleet.collect();
    if (!live) notes.push(`only ${warm.receivedBy}/${opened.open} subscriptions delivered during the 60 s warm-up`);
    log(`  ${warm.receivedBy}/${opened.open} subscriptions live; measuring ${changes} changes`);

    const latencies: number[] = [];
    const fanout: number[] = [];
    let windows = 0;
    let delivered = 0;
    const clients = fleet;
    await profileWindow('subscriptions-fanout', async () => {
      for (let i = 0; i < changes; i++) {
        notifiedAt.length = 0;
        const { key, ackAt } = await restock();
        await waitUntil(async () => (await clients.status()).deliveries === warm.receivedBy, 15_000, 5);
        const got = byKey(await clients.collect()).get(key);
        const notified = notifiedAt[0];
        if (got) {
          for (const t of got.times) latencies.push(t - ackAt);
          if (notified !== undefined) for (const t of got.times) fanout.push(t - notified);
          windows += got.last - (notified ?? got.first);
          delivered += got.count;
        }
        await sleep(200);
      }
    });
    const rssLive = rssMiB();
    const status = await fleet.status();
    const payloadBytes = status.frameBytes > 0 ? status.frameBytes : warm.frameBytes;
    if (status.errors > 0) notes.push(`client errors: ${status.errors} (first: ${status.firstError ?? '?'})`);
    await fleet.close();
    fleet = undefined;

    const lat = summarize(latencies);
    const fan = summarize(fanout);
    const rate = ratePerSecond(delivered, windows);
    log(`  delivered ${delivered}/${warm.receivedBy * changes}; ack→delivery p99 ${lat?.p99.toFixed(1)} ms; fan-out ${rate.toFixed(0)}/s`);

    const raw = await rawBroadcast(subscribers, changes, payloadBytes);
    const rawLat = summarize(raw.latencies);
    const rawRate = ratePerSecond(raw.delivered, raw.windows);
    log(`  raw ws broadcast to ${raw.open}: p99 ${rawLat?.p99.toFixed(1)} ms, ${rawRate.toFixed(0)} deliveries/s`);

    const rateMet = rate >= TARGET_RATE;
    const met = lat !== undefined && lat.p99 < 100 && opened.open === subscribers && delivered === subscribers * changes;
    figures.push({
      name: `${subscribers} subscribers: ack→delivery p99`,
      value: lat ? round(lat.p99) : Number.NaN,
      unit: 'ms',
      ...(rawLat && lat && { baseline: { what: 'bare ws broadcast send→arrival p99', value: round(rawLat.p99), unit: 'ms' }, ratio: round(lat.p99 / Math.max(rawLat.p99, 0.001)) }),
      target: { text: `${subscribers.toLocaleString('en')} subscribers, p99 < 100 ms${subscribers < FULL_SUBSCRIBERS ? ' (fewer sockets than the 10,000 target)' : ''}`, met, ...(!met && { reason: lat ? (lat.p99 >= 100 ? `notification→delivery p99 ${round(fan?.p99 ?? Number.NaN)} ms (hub view read + per-socket graphql-ws execute/serialize/send), the rest is relay + projector before the notification` : 'not every subscriber got every change') : 'nothing delivered' }) },
      ...(lat && { latency: roundSummary(lat) }),
      ...(rawLat && { baselineLatency: roundSummary(rawLat) }),
    });
    const rr = ratio(rate, rawRate);
    figures.push({
      name: `${subscribers} subscribers: fan-out deliveries/s`,
      value: round(rate),
      unit: 'deliveries/s',
      baseline: { what: 'bare ws broadcast', value: round(rawRate), unit: 'deliveries/s' },
      ...(rr !== undefined && { ratio: round(rr) }),
      target: { text: `≥ ${TARGET_RATE.toLocaleString('en')} deliveries/s`, met: rateMet, ...(!rateMet && { reason: 'per-socket graphql-ws work (iterator, frame, write syscall) on the 2 shared cores; see the bare ws baseline' }) },
    });
    figures.push({
      name: `${subscribers} subscribers: server process RSS`,
      value: rssLive,
      unit: 'MiB',
      baseline: { what: 'same process before the sockets opened', value: rssBefore, unit: 'MiB' },
      notes: [`API + relay + projectors in the bench process; ${round(((rssLive - rssBefore) * 1024) / Math.max(1, opened.open))} KiB per open subscriber socket`],
    });
    if (fan) figures.push({ name: `${subscribers} subscribers: notification→delivery p99`, value: round(fan.p99), unit: 'ms', latency: roundSummary(fan) });
    notes.push(`delivered ${delivered} of ${subscribers * changes} expected messages (${changes} changes × ${subscribers} sockets); clients live in a child process, server (API + relay + projectors) in this one`);
    notes.push('fan-out deliveries/s = messages delivered / Σ per change (last arrival − the bench consumer receiving the same "view changed" notification the API hub consumes)');
    notes.push(`raw baseline message: ${payloadBytes} bytes, the size of this subscription's graphql-ws "next" frame`);
    notes.push('each distinct payload is serialised once and its bytes shared by every socket (query-side/subscriptions/sharedFrames.ts); execution once per distinct selection and variables (sharedExecution.ts)');
    notes.push('ack→delivery = restock command acknowledged → message at the socket: relay + inventory projector + notification + hub read + per-socket graphql-ws execute/serialize/send');
    return { id: 'subscriptions', title: `7. Subscriptions: ${subscribers} WebSocket subscribers`, figures, notes };
  } finally {
    await fleet?.close().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
    await pool.end();
    await app.stop();
  }
};
