import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import { viewChangedTopic } from '../../messaging/topics.ts';
import { parseViewChanged } from '../../projector/runner/viewChanged.ts';
import { testKafka } from '../../tests/support/isolation.ts';
import { tokens } from '../../tests/support/app.ts';
import { pairLatencies, ratePerSecond, round, roundSummary, summarize, type Summary } from '../stats.ts';
import { startBenchApp } from '../lib/app.ts';
import { now, waitUntil } from '../lib/clock.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { openLoop } from '../lib/load.ts';
import { profileWindow } from '../lib/profiler.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const RATE = 1000;
const CUSTOMERS = 10;
const SUB = `subscription($c: String!) { customerOrdersChanged(customerId: $c) { token order { id status } } }`;

type SubMsg = { customerOrdersChanged?: { order?: { id?: string } } };

function latencyFigures(what: string, s: Summary | undefined, targets: { p50?: number; p99?: number }, missing: number, total: number): Figure[] {
  if (!s) return [{ name: `${what}`, value: Number.NaN, unit: 'ms', notes: [`not measured: none of ${total} orders observed`] }];
  const f = (q: 'p50' | 'p99' | 'max', limit: number | undefined): Figure => ({
    name: `${what} ${q}`,
    value: round(s[q]),
    unit: 'ms',
    latency: roundSummary(s),
    ...(limit !== undefined && { target: { text: `${q} ≤ ${limit} ms`, met: s[q] <= limit, ...(s[q] > limit && { reason: 'relay, 5 projectors, API, hub and load generator share one process, one FerretDB and 2 cores; see the floor phase and notes' }) } }),
    ...(missing > 0 && { notes: [`${missing} of ${total} acknowledged orders never observed`] }),
  });
  return [f('p50', targets.p50), f('p99', targets.p99), f('max', undefined)];
}

/**
 * Scenario 4: end-to-end freshness under a steady open-loop 1,000 placeOrder/s (through the command
 * handler, in this process, like the mutation resolver calls it). For each order: acknowledged (the
 * handler returned, i.e. committed) → view written (the projector's "view changed" notification for
 * order_detail, whose `at` the projector stamps after the write, checkpoint and offset commit) and →
 * the `customerOrdersChanged` graphql-ws message received.
 */
export const freshnessScenario: Scenario = async ({ quick, log }) => {
  const app = await startBenchApp('bench_fresh');
  const durationMs = quick ? 5000 : 20_000;
  const notes: string[] = [];
  const pool = new pg.Pool({ connectionString: app.config.postgres.url, max: 32 });
  const kafka = testKafka('bench-fresh');
  const consumer = kafka.consumer({ groupId: `${app.config.kafka.topicPrefix}bench.${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const clients: Client[] = [];
  try {
    const orders = orderCommands(createCommandHandler({ store: createEventStore(pool) }), createPostgresPaymentVault(pool));
    const viewAt = new Map<string, number>();
    const notifiedAt = new Map<string, number>();
    const subAt = new Map<string, number>();

    await consumer.connect();
    await consumer.subscribe({ topic: viewChangedTopic(app.config.kafka.topicPrefix), fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const t = now();
        const change = parseViewChanged(message.value);
        if (change?.projection !== 'order_detail') return;
        const at = Date.parse(change.at);
        for (const id of change.touched['order_detail'] ?? []) {
          if (!viewAt.has(id)) viewAt.set(id, at);
          if (!notifiedAt.has(id)) notifiedAt.set(id, t);
        }
      },
    });
    await joined;

    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `bench-fresh-${i}`);
    for (const c of customers) {
      const client = app.ws(tokens.customer(c));
      clients.push(client);
      client.subscribe<SubMsg>({ query: SUB, variables: { c } }, {
        next: (v) => {
          const id = v.data?.customerOrdersChanged?.order?.id;
          if (id && !subAt.has(id)) subAt.set(id, now());
        },
        error: (e) => notes.push(`subscription error for ${c}: ${JSON.stringify(e)}`),
        complete: () => undefined,
      });
    }
    // Barrier: one order per customer until every subscription has delivered (they are live).
    const warm = new Map<string, string>(); // warm-up order id → customer
    const ready = await waitUntil(async () => {
      const pending = customers.filter((c) => ![...warm].some(([id, owner]) => owner === c && subAt.has(id)));
      if (pending.length === 0) return true;
      for (const [i, c] of pending.entries()) {
        const r = await orders.placeOrder(placeOrderInput(c, i), { correlationId: randomUUID() });
        warm.set(r.streamId.replace(/^order-/, ''), c);
      }
      return false;
    }, 30_000, 500);
    if (!ready) notes.push('warm-up: not every subscription delivered within 30 s before the run');
    for (const id of warm.keys()) {
      subAt.delete(id);
      viewAt.delete(id);
      notifiedAt.delete(id);
    }

    /** One open-loop phase; latencies are paired per order id acknowledged in this phase. */
    const phase = async (rate: number, ms: number, drainMs: number) => {
      const acked = new Map<string, number>();
      log(`  open loop ${rate}/s for ${ms} ms`);
      const run = await openLoop({
        ratePerSecond: rate,
        durationMs: ms,
        maxInFlight: 256,
        op: async (n) => {
          const r = await orders.placeOrder(placeOrderInput(customers[n % CUSTOMERS] ?? 'x', n), { correlationId: randomUUID() });
          acked.set(r.streamId.replace(/^order-/, ''), now());
        },
      });
      const achieved = ratePerSecond(run.ok, run.elapsedMs);
      log(`  achieved ${achieved.toFixed(0)} cmd/s (${run.ok} ok, ${run.errors} errors, ${run.scheduled - run.started} never started, max start slip ${run.maxStartDelayMs.toFixed(0)} ms); waiting ≤ ${drainMs / 1000} s for views and subscriptions`);
      const drained = await waitUntil(() => [...acked.keys()].every((id) => viewAt.has(id) && subAt.has(id)), drainMs, 100);
      const view = pairLatencies(acked, viewAt);
      const sub = pairLatencies(acked, subAt);
      const notified = pairLatencies(acked, notifiedAt);
      return { run, achieved, drained, acked: acked.size, view, sub, viewS: summarize(view.latencies), subS: summarize(sub.latencies), notifiedS: summarize(notified.latencies) };
    };

    // Floor first (so the heavy phase's backlog cannot leak into it): a rate the box sustains easily.
    const floorRate = 50;
    const floor = await phase(floorRate, quick ? 3000 : 5000, 20_000);
    const main = await profileWindow('freshness-main', () => phase(RATE, durationMs, quick ? 20_000 : 40_000));
    const { run, achieved, viewS, subS, notifiedS, view, sub } = main;
    if (!main.drained) notes.push(`not every order of the ${RATE}/s phase reached the view and the subscription within ${quick ? 20 : 40} s after the run (unseen ones are counted as missing, not as latencies)`);
    const rateMet = achieved >= RATE * 0.98 && run.maxStartDelayMs < 100 && run.started === run.scheduled;
    const figures: Figure[] = [
      {
        name: 'achieved command rate',
        value: round(achieved),
        unit: 'cmd/s',
        target: { text: `steady ${RATE} cmd/s`, met: rateMet, ...(!rateMet && { reason: `schedule slipped up to ${Math.round(run.maxStartDelayMs)} ms, ${run.scheduled - run.started} of ${run.scheduled} never started: the box did not sustain ${RATE}/s` }) },
        notes: [`${run.scheduled} scheduled, ${run.started} started, ${run.ok} ok, ${run.errors} errors${run.firstError ? ` (first: ${run.firstError})` : ''}`],
      },
      ...latencyFigures(`ack→view @${round(achieved)}/s`, viewS, { p50: 15, p99: 50 }, view.missing, main.acked),
      ...latencyFigures(`ack→subscription msg @${round(achieved)}/s`, subS, {}, sub.missing, main.acked),
    ];
    if (floor.viewS) figures.push({ name: `ack→view p99 @${floorRate}/s (floor)`, value: round(floor.viewS.p99), unit: 'ms', latency: roundSummary(floor.viewS), notes: [`${floor.view.missing} of ${floor.acked} not seen`] });
    if (floor.subS) figures.push({ name: `ack→subscription p99 @${floorRate}/s (floor)`, value: round(floor.subS.p99), unit: 'ms', latency: roundSummary(floor.subS), notes: [`${floor.sub.missing} of ${floor.acked} not seen`] });
    notes.push(`floor phase: ${floorRate} cmd/s for ${quick ? 3 : 5} s before the main phase (achieved ${round(floor.achieved)}/s): the latency with the pipeline idle, for comparison`);
    if (notifiedS) notes.push(`ack→"view changed" notification received by the bench consumer: p50 ${round(notifiedS.p50)} p99 ${round(notifiedS.p99)} max ${round(notifiedS.max)} ms (an upper bound of ack→view that does not rely on the projector's timestamp)`);
    notes.push(`open loop at ${RATE} placeOrder/s for ${durationMs / 1000} s through the command handler (pool 32), ${CUSTOMERS} customers each with one graphql-ws customerOrdersChanged subscription; relay, 5 projectors, API and load generator share this one Node process`);
    notes.push('"view written" = ViewChanged.at of the order_detail projector (ms resolution), stamped after the Mongo write, the checkpoint write and the Kafka offset commit: an upper bound of the write moment');
    return { id: 'freshness', title: `4. End-to-end freshness at ${RATE} cmd/s`, figures, notes };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await consumer.disconnect().catch(() => undefined);
    await pool.end();
    await app.stop();
  }
};
