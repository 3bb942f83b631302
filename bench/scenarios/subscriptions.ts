import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { bareBroadcast, byKey } from '../lib/wsBroadcastBaseline.ts';
import { metrics } from '../../platform/telemetry.ts';
import { profileWindow } from '../lib/profiler.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const SKU = 'BENCH-SUB';
const SUB = `subscription($skus: [String!]!) { inventoryChanged(skus: $skus) { token item { sku onHand available } } }`;
const OPEN_BATCH = 250;

const FULL_SUBSCRIBERS = 10_000;
const TARGET_RATE = 25_000;

/** Subscriber count: 10,000 (quick: 500), or BENCH_SUBSCRIBERS (e.g. a quick run at full scale). */
function subscriberCount(quick: boolean): number {
  const n = Number(process.env['BENCH_SUBSCRIBERS']);
  return Number.isInteger(n) && n > 0 ? n : quick ? 500 : FULL_SUBSCRIBERS;
}


const cpuMicros = () => ((c) => c.user + c.system)(process.cpuUsage());

type Stage = 'notified' | 'load' | 'push';
const STAGES: readonly Stage[] = ['notified', 'load', 'push'];

/** Sum (s) and count per stage of the hub's `orderflow_subscription_fanout_seconds` (the API runs in this process). */
async function fanoutStages(): Promise<Record<Stage, { sum: number; count: number }>> {
  const out = { notified: { sum: 0, count: 0 }, load: { sum: 0, count: 0 }, push: { sum: 0, count: 0 } };
  const metric = metrics.getSingleMetric('orderflow_subscription_fanout_seconds');
  for (const v of (await metric?.get())?.values ?? []) {
    const stage = STAGES.find((st) => st === v.labels['stage']);
    if (!stage) continue;
    const name = 'metricName' in v && typeof v.metricName === 'string' ? v.metricName : '';
    if (name.endsWith('_sum')) out[stage].sum = v.value;
    if (name.endsWith('_count')) out[stage].count = v.value;
  }
  return out;
}

/** Mean ms per stage between two readings. */
async function stageMeans(before: Promise<Record<Stage, { sum: number; count: number }>>, after: Promise<Record<Stage, { sum: number; count: number }>>): Promise<Partial<Record<Stage, number>>> {
  const [a, b] = await Promise.all([before, after]);
  const out: Partial<Record<Stage, number>> = {};
  for (const st of STAGES) {
    const n = b[st].count - a[st].count;
    if (n > 0) out[st] = round(((b[st].sum - a[st].sum) * 1000) / n);
  }
  return out;
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
    let serverCpu = 0;
    let fleetCpu = 0;
    let fleetLoopMax = 0;
    const clients = fleet;
    const stages0 = fanoutStages();
    await profileWindow('subscriptions-fanout', async () => {
      for (let i = 0; i < changes; i++) {
        notifiedAt.length = 0;
        const fleet0 = (await clients.status()).cpuMicros;
        const cpu0 = cpuMicros();
        const { key, ackAt } = await restock();
        await waitUntil(async () => (await clients.status()).deliveries === warm.receivedBy, 15_000, 5);
        serverCpu += cpuMicros() - cpu0;
        const st = await clients.status();
        fleetCpu += st.cpuMicros - fleet0;
        fleetLoopMax = Math.max(fleetLoopMax, st.loopDelayMaxMs);
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
    const stages = await stageMeans(stages0, fanoutStages());
    const rssLive = rssMiB();
    const status = await fleet.status();
    const payloadBytes = status.frameBytes > 0 ? status.frameBytes : warm.frameBytes;
    if (status.errors > 0) notes.push(`client errors: ${status.errors} (first: ${status.firstError ?? '?'})`);
    await fleet.close();
    fleet = undefined;

    const lat = summarize(latencies);
    const fan = summarize(fanout);
    const rate = ratePerSecond(delivered, windows);
    log(`  delivered ${delivered}/${warm.receivedBy * changes}; ack→delivery p99 ${lat?.p99.toFixed(1)} ms; fan-out ${rate.toFixed(0)}/s; stages ${JSON.stringify(stages)}`);

    // The bare broadcast gets a fleet of its own: the graphql-ws sockets are gone, nothing else shares it.
    const rawFleet = await startFleet();
    const raw = await bareBroadcast(rawFleet, subscribers, changes, payloadBytes, OPEN_BATCH).finally(() => rawFleet.close());
    const rawLat = summarize(raw.latencies);
    const rawRate = ratePerSecond(raw.delivered, raw.windows);
    log(`  bare ws broadcast to ${raw.open}: ${raw.delivered}/${raw.expected} delivered, p99 ${rawLat?.p99.toFixed(1)} ms, ${rawRate.toFixed(0)} deliveries/s`);
    if (raw.delivered < raw.expected) notes.push(`bare ws baseline: only ${raw.delivered} of ${raw.expected} messages arrived within 15 s per change`);

    const rateMet = rate >= TARGET_RATE;
    const met = lat !== undefined && lat.p99 < 100 && opened.open === subscribers && delivered === subscribers * changes;
    const split = `per change (means over ${changes}): view written → hub notified ${stages.notified ?? 'n/a'} ms, payload read ${stages.load ?? 'n/a'} ms, every frame written ${stages.push ?? 'n/a'} ms; the rest of notification→delivery is the fleet reading ${subscribers} sockets (its event loop lagged up to ${round(fleetLoopMax)} ms)`;
    figures.push({
      name: `${subscribers} subscribers: ack→delivery p99`,
      value: lat ? round(lat.p99) : Number.NaN,
      unit: 'ms',
      ...(rawLat && lat && { baseline: { what: 'bare ws broadcast send→arrival p99', value: round(rawLat.p99), unit: 'ms' }, ratio: round(lat.p99 / Math.max(rawLat.p99, 0.001)) }),
      target: { text: `${subscribers.toLocaleString('en')} subscribers, p99 < 100 ms${subscribers < FULL_SUBSCRIBERS ? ' (fewer sockets than the 10,000 target)' : ''}`, met, ...(!met && { reason: lat ? (lat.p99 >= 100 ? `notification→delivery p99 ${round(fan?.p99 ?? Number.NaN)} ms; ${split}` : 'not every subscriber got every change') : 'nothing delivered' }) },
      ...(lat && { latency: roundSummary(lat) }),
      ...(rawLat && { baselineLatency: roundSummary(rawLat) }),
      notes: [split],
    });
    const rr = ratio(rate, rawRate);
    figures.push({
      name: `${subscribers} subscribers: fan-out deliveries/s`,
      value: round(rate),
      unit: 'deliveries/s',
      baseline: { what: 'bare ws broadcast', value: round(rawRate), unit: 'deliveries/s' },
      ...(rr !== undefined && { ratio: round(rr) }),
      target: { text: `≥ ${TARGET_RATE.toLocaleString('en')} deliveries/s`, met: rateMet, ...(!rateMet && { reason: 'the write syscall per socket and the fleet reading every socket, on the 2 shared cores; see the bare ws baseline and the CPU per delivery' }) },
    });
    const perDelivery = (micros: number, n: number) => round(micros / Math.max(1, n));
    const serverPer = perDelivery(serverCpu, delivered);
    const rawPer = perDelivery(raw.serverCpuMicros, raw.delivered);
    figures.push({
      name: `${subscribers} subscribers: server CPU per delivery`,
      value: serverPer,
      unit: 'µs',
      baseline: { what: 'bare ws broadcast, same sockets and frame size', value: rawPer, unit: 'µs' },
      ratio: round(serverPer / Math.max(rawPer, 0.001)),
      notes: [
        `this process (API + relay + projectors + the restock itself) over each change until every socket had it, ÷ deliveries; bare ws: the send loop until every socket had it`,
        `the fleet's CPU per delivery: ${perDelivery(fleetCpu, delivered)} µs (graphql-ws clients), ${perDelivery(raw.fleetCpuMicros, raw.delivered)} µs (plain ws clients); it shares the 2 cores with the server`,
      ],
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
    notes.push(`bare ws baseline: one pre-encoded ${payloadBytes}-byte graphql-ws "next"-shaped frame (this subscription's size) written to ${raw.open} plain sockets of a fresh fleet, which parses the same JSON`);
    notes.push('hub subscriptions write straight to their sockets as the hub broadcasts (no iterator or promise per socket): execution once per distinct selection and variables, one serialisation per result (query-side/subscriptions/sharedExecution.ts, nextFrame.ts, server/socketSink.ts)');
    notes.push('ack→delivery = restock command acknowledged → message at the socket: relay + inventory projector + notification + hub read + per-socket frame and write + the fleet reading it');
    return { id: 'subscriptions', title: `7. Subscriptions: ${subscribers} WebSocket subscribers`, figures, notes };
  } finally {
    await fleet?.close().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
    await pool.end();
    await app.stop();
  }
};
