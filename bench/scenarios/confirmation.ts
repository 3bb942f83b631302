import { randomUUID } from 'node:crypto';
import { familyTopic } from '../../messaging/topics.ts';
import { decodeEvent } from '../../messaging/codec.ts';
import { joinConsumerGroup } from '../../messaging/consumerGroup.ts';
import { createKafka } from '../../messaging/kafka.ts';
import { notifyRole } from '../../ops/roles/notify.ts';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import { startApp, tokens } from '../../tests/support/app.ts';
import { round, roundSummary, summarize } from '../stats.ts';
import { ORDER_BY_ID, PLACE_ORDER, quietLogger } from '../lib/app.ts';
import { now, sleep } from '../lib/clock.ts';
import { BENCH_SKUS, placeOrderInput } from '../lib/fixtures.ts';
import { openLoop } from '../lib/load.ts';
import { deleteTopicsWithPrefix } from '../lib/kafka.ts';
import { histogramDelta, histogramTotals } from '../lib/histogram.ts';
import { dropDatabase } from '../lib/db.ts';
import { databaseName } from '../../ops/database.ts';
import type { Figure, Scenario } from '../lib/types.ts';

/** Orders per second (the target's 10; BENCH_CONFIRM_RATE overrides it for diagnosis). */
const RATE = Number(process.env.BENCH_CONFIRM_RATE ?? 10);
const POLL_EVERY_MS = 5;

/** Timestamps (ms, this process's clock) of one order on its way to "confirmed". */
interface Trip {
  orderId: string;
  sent: number;
  acked?: number;
  /** Kafka message timestamps: when the relay read the event and built the message. */
  placedPublished?: number;
  confirmedPublished?: number;
  /** When a consumer with the platform's fetch settings received it. */
  placedReceived?: number;
  confirmedReceived?: number;
  visible?: number;
}

/** The hops of place → confirmed visible, in order: each from the previous timestamp to its own. */
const HOPS = [
  ['mutation (HTTP + command)', 'sent', 'acked'],
  ['relay picks up OrderPlaced', 'acked', 'placedPublished'],
  ['Kafka → consumer (OrderPlaced)', 'placedPublished', 'placedReceived'],
  ['saga: context + (reserve stock ∥ authorise)', 'placedReceived', 'bothAnswered'],
  ['saga: context + mark + confirm (one append)', 'bothAnswered', 'OrderConfirmed'],
  ['relay picks up OrderConfirmed', 'OrderConfirmed', 'confirmedPublished'],
  ['Kafka → consumer (OrderConfirmed)', 'confirmedPublished', 'confirmedReceived'],
  ['projector write → visible in order(id)', 'confirmedReceived', 'visible'],
] as const;

/** The saga's two branches, run at once: each from the saga receiving OrderPlaced (not in the chain above). */
const BRANCHES = [
  ['saga branch: context + reserve stock', 'placedReceived', 'StockReserved'],
  ['saga branch: context + authorise (gateway) + record', 'placedReceived', 'PaymentAuthorised'],
] as const;

/**
 * Scenario: time to confirmation. Every role runs (relay, projectors, saga, notify, API; in this
 * process, as `npm start` runs them). Orders are placed over HTTP at a steady 10/s; each is followed
 * to "confirmed" visible in `order(id)`. Hops come from timestamps: the mutation's send and ack, the
 * Kafka message timestamps the relay sets, a consumer of `orders.events` with the platform's fetch
 * settings, the saga's events' `occurredAt`, and polls of `order(id)` every 5 ms once the
 * confirmation reached Kafka.
 */
export const confirmationScenario: Scenario = async ({ quick, log }) => {
  const notes: string[] = [];
  const figures: Figure[] = [];
  const app = await startApp('bench-confirm', [relayRole, projectRole, sagaRole, notifyRole, serveRole], { ORDERFLOW_RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'silent' });
  const kafka = createKafka({ brokers: app.config.kafka.brokers, clientId: 'bench-confirm', logger: quietLogger });
  const trips = new Map<string, Trip>();
  let pollError: string | undefined;
  let consumer: Awaited<ReturnType<typeof joinConsumerGroup>> | undefined;
  try {
    const seed = await app.gql(`mutation { ${BENCH_SKUS.map((sku, i) => `d${i}: defineProduct(input: { sku: "${sku}", name: "${sku}", unitPrice: { amountMinor: ${1000 + i * 250}, currency: "EUR" } }) { id } r${i}: restock(input: { sku: "${sku}", quantity: 1000000 }) { id }`).join(' ')} }`, {}, tokens.staff);
    if (seed.errors) throw new Error(`seeding failed: ${JSON.stringify(seed.errors)}`);
    consumer = await joinConsumerGroup({
      kafka, groupId: `${app.config.kafka.topicPrefix}bench-confirm`, topics: [familyTopic(app.config.kafka.topicPrefix, 'orders')],
      sessionTimeout: 10_000, heartbeatInterval: 1000, name: 'bench-confirm', logger: quietLogger,
      run: {
        eachMessage: async ({ message }) => {
          const at = Date.now();
          const { envelope } = decodeEvent(message);
          const trip = trips.get(envelope.streamId.replace(/^order-/, ''));
          if (!trip) return;
          if (envelope.type === 'OrderPlaced') { trip.placedPublished = Number(message.timestamp); trip.placedReceived = at; }
          if (envelope.type === 'OrderConfirmed') { trip.confirmedPublished = Number(message.timestamp); trip.confirmedReceived = at; }
        },
      },
    });
    const until = async (check: () => boolean, ms: number) => { const end = now() + ms; while (!check() && now() < end) await sleep(POLL_EVERY_MS); return check(); };
    const follow = async (n: number) => {
      const customerId = `cust-${n % 20}`;
      const trip: Trip = { orderId: randomUUID(), sent: Date.now() };
      trips.set(trip.orderId, trip);
      const r = await app.gql<{ placeOrder: { id: string } }>(PLACE_ORDER, { input: { ...placeOrderInput(customerId, n), orderId: trip.orderId } }, tokens.customer(customerId));
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      trip.acked = Date.now();
      if (!(await until(() => trip.confirmedReceived !== undefined, 30_000))) return;
      for (const end = now() + 10_000; now() < end; await sleep(POLL_EVERY_MS)) {
        const q = await app.gql<{ order: { status: string } | null }>(ORDER_BY_ID, { id: trip.orderId }, tokens.customer(customerId));
        if (q.errors) pollError ??= JSON.stringify(q.errors).slice(0, 300);
        if (q.data?.order?.status.toUpperCase() === 'CONFIRMED') { trip.visible = Date.now(); return; }
      }
    };
    const durationMs = quick ? 8000 : 20_000;
    // Warm-up at 1/s (not counted): at the target rate it would leave a saga backlog in the floor phase.
    await openLoop({ ratePerSecond: 1, durationMs: 3000, maxInFlight: 200, op: (n) => follow(1_000_000 + n) });
    // The floor first (1 order/s: no queueing), then the target rate.
    for (const [phase, rate, ms] of [['floor', 1, quick ? 6000 : 10_000], ['target', RATE, durationMs]] as const) {
      trips.clear();
      const reactionsBefore = await histogramTotals('orderflow_saga_reaction_seconds', 'type');
      const gatewayBefore = await histogramTotals('orderflow_payment_gateway_call_seconds', 'operation');
      const run = await openLoop({ ratePerSecond: rate, durationMs: ms, maxInFlight: 200, op: (n) => follow(n + (phase === 'floor' ? 2_000_000 : 0)), graceMs: 15_000 });
      log(`  ${phase}: ${trips.size} orders at ${rate}/s; ${run.errors} errors${run.firstError ? ` (first: ${run.firstError})` : ''}`);
      const reactions = histogramDelta(reactionsBefore, await histogramTotals('orderflow_saga_reaction_seconds', 'type'));
      const gateway = histogramDelta(gatewayBefore, await histogramTotals('orderflow_payment_gateway_call_seconds', 'operation'));
      // The saga's events: their occurredAt is the saga's clock (this process) at its decision.
      const { rows } = await app.pool.query<{ order_id: string; type: string; at: Date }>(
        `select coalesce(data->>'orderId', '') as order_id, type, min(occurred_at) as at from events
         where type = any($1) and data->>'orderId' = any($2) group by 1, 2`,
        [['StockReserved', 'PaymentAuthorised', 'OrderConfirmed'], [...trips.keys()]],
      );
      const sagaAt = new Map(rows.map((r) => [`${r.order_id}/${r.type}`, r.at.getTime()]));
      const stored = (t: Trip, k: string): number | undefined => (k in t ? (t as unknown as Record<string, number | undefined>)[k] : sagaAt.get(`${t.orderId}/${k}`));
      // Both branches answered: the later of the stock reservation and the authorisation.
      const both = (t: Trip): number | undefined => {
        const [r, p] = [stored(t, 'StockReserved'), stored(t, 'PaymentAuthorised')];
        return r === undefined || p === undefined ? undefined : Math.max(r, p);
      };
      const at = (t: Trip, k: string): number | undefined => (k === 'bothAnswered' ? both(t) : stored(t, k));
      const done = [...trips.values()].filter((t) => t.visible !== undefined && HOPS.every(([, a, b]) => at(t, a) !== undefined && at(t, b) !== undefined));
      const total = summarize(done.map((t) => (t.visible ?? 0) - t.sent));
      const missing = trips.size - done.length;
      if (pollError) log(`  first order(id) error: ${pollError}`);
      if (missing > 0) notes.push(`${phase} @${rate}/s: ${missing} of ${trips.size} orders not followed to the end (errors, or not confirmed within 30 s)`);
      if (!total) continue;
      const targeted = phase === 'target';
      figures.push({
        name: `place → confirmed visible p50 @${rate}/s`, value: round(total.p50), unit: 'ms', latency: roundSummary(total),
        ...(targeted && { target: { text: 'p50 ≤ 100 ms', met: total.p50 <= 100, ...(total.p50 > 100 && { reason: 'see the hops' }) } }),
      });
      figures.push({
        name: `place → confirmed visible p99 @${rate}/s`, value: round(total.p99), unit: 'ms', latency: roundSummary(total),
        ...(targeted && { target: { text: 'p99 ≤ 250 ms', met: total.p99 <= 250, ...(total.p99 > 250 && { reason: 'see the hops' }) } }),
      });
      const hopP50s: string[] = [];
      for (const [name, a, b] of HOPS) {
        const hs = summarize(done.map((t) => (at(t, b) ?? 0) - (at(t, a) ?? 0)));
        if (!hs) continue;
        const meanShare = done.reduce((n, t) => n + ((at(t, b) ?? 0) - (at(t, a) ?? 0)) / ((t.visible ?? 0) - t.sent), 0) / done.length;
        figures.push({ name: `@${rate}/s hop: ${name}`, value: round(hs.p50), unit: 'ms p50', notes: [`mean share of the total ${(meanShare * 100).toFixed(0)}%`], latency: roundSummary(hs) });
        hopP50s.push(`${name} ${hs.p50.toFixed(0)} ms (${(meanShare * 100).toFixed(0)}%)`);
      }
      for (const [name, a, b] of BRANCHES) {
        const hs = summarize(done.map((t) => (at(t, b) ?? 0) - (at(t, a) ?? 0)));
        if (hs) figures.push({ name: `@${rate}/s ${name}`, value: round(hs.p50), unit: 'ms p50', notes: ['runs at once with the other branch; not part of the sum of hops'], latency: roundSummary(hs) });
      }
      // The saga's own time against the provider's: reaction time per order (all of an order's
      // reactions) and the gateway calls inside it (the durable sandbox: a Postgres transaction per call).
      const perOrder = (ms: number) => (trips.size > 0 ? ms / trips.size : 0);
      const reactionMs = [...reactions.values()].reduce((n, t) => n + t.sum * 1000, 0);
      const byType = [...reactions].sort((a, b) => b[1].sum - a[1].sum).map(([type, t]) => `${type} ${t.count}× mean ${((t.sum / t.count) * 1000).toFixed(1)} ms`);
      figures.push({ name: `@${rate}/s saga reaction time per order (all its reactions)`, value: round(perOrder(reactionMs)), unit: 'ms', notes: [byType.join('; ')] });
      for (const [operation, t] of gateway) {
        figures.push({ name: `@${rate}/s gateway ${operation} (sandbox provider) mean`, value: round((t.sum / t.count) * 1000), unit: 'ms', notes: [`${t.count} calls; the provider's share of the saga's time, not ours: the durable sandbox keeps its ledger in Postgres (one transaction per call), no simulated latency`] });
      }
      log(`  ${phase} @${rate}/s: saga reactions ${perOrder(reactionMs).toFixed(0)} ms per order (${byType.join('; ')}); gateway ${[...gateway].map(([op, t]) => `${op} mean ${((t.sum / t.count) * 1000).toFixed(1)} ms`).join(', ')}`);
      log(`  ${phase} @${rate}/s: total p50 ${total.p50.toFixed(0)} p99 ${total.p99.toFixed(0)} ms over ${done.length}; hops p50 (mean share): ${hopP50s.join('; ')}`);
    }
    notes.push('every role in this process (relay, projectors, saga with the durable sandbox gateway, notify, API), on the shared stack and the shared 2 cores; orders over HTTP with a customer token');
    notes.push('hop boundaries: Kafka message timestamps (set by the relay when it builds the batch), a bench consumer of orders.events with the platform consumer settings, the saga events\' occurredAt, order(id) polled every 5 ms once the confirmation reached Kafka; shares are per-order means');
    return { id: 'confirmation', title: 'Time to confirmation: placeOrder → confirmed visible in order(id), hop by hop', figures, notes };
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    await app.stop();
    await deleteTopicsWithPrefix(app.config.kafka.topicPrefix);
    await dropDatabase(databaseName(app.config.postgres.url));
  }
};
