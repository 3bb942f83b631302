import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { decodeEvent } from '../../messaging/codec.ts';
import { familyTopic, viewChangedTopic } from '../../messaging/topics.ts';
import { parseViewChanged } from '../../projector/runner/viewChanged.ts';
import { testKafka } from '../../tests/support/isolation.ts';
import { tokens } from '../../tests/support/app.ts';
import { metricSum } from '../../tests/support/roleProcess.ts';
import { pairLatencies, ratePerSecond, round, roundSummary, summarize, type Summary } from '../stats.ts';
import { PLACE_ORDER } from '../lib/app.ts';
import { now, sleep, waitUntil } from '../lib/clock.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { openLoop, type OpenLoopResult } from '../lib/load.ts';
import { measureStoreRates, storeRateFigures } from '../lib/storeRates.ts';
import { startTopology, TOPOLOGY_ROLES, type Topology, type TopologyRole } from '../lib/topology.ts';
import type { Figure, Scenario } from '../lib/types.ts';

/** The rate the issue's p50/p99 targets are stated at. */
const TARGET_RATE = 200;
/** The p99 that defines the highest sustained rate. */
const P99_LIMIT_MS = 250;
const RAMP = { quick: [50, 200, 500, 800], full: [50, 100, 200, 300, 500, 600, 800] };
/** Rates at which store commands per applied event are reported (they must fall as the rate rises): the ramp always runs them. */
const STORE_WORK_RATES = [50, 200, 500];
const CUSTOMERS = 10;
const SUB = `subscription($c: String!) { customerOrdersChanged(customerId: $c) { token order { id status } } }`;

type SubMsg = { customerOrdersChanged?: { order?: { id?: string } } };
type PlaceOrder = { placeOrder?: { id?: string } };

/** Projector store work so far, from project's /metrics (the counter the coalescing projector keeps). */
async function storeWork(topology: Topology): Promise<{ commands: number; applied: number }> {
  const text = await (await fetch(topology.metricsUrl('project'))).text();
  return { commands: metricSum(text, 'orderflow_projector_store_commands_total'), applied: metricSum(text, 'orderflow_projector_events_applied_total') };
}

/** What one open-loop phase measured. */
interface Phase {
  rate: number;
  run: OpenLoopResult;
  achieved: number;
  sustained: boolean;
  acked: number;
  view: Summary | undefined;
  viewMissing: number;
  sub: Summary | undefined;
  subMissing: number;
  notified: Summary | undefined;
  /** Mean ms of each hop over the phase's orders (see {@link HOPS}). */
  hops: Partial<Record<Hop, number>>;
  /** View-store commands the projector sent per second of the phase, per acknowledged command and per event applied. */
  storeCommandsPerSecond: number;
  storeCommandsPerCommand: number | undefined;
  storeCommandsPerEvent: number | undefined;
  eventsApplied: number;
  cpu: Partial<Record<TopologyRole, number>>;
}

/**
 * The hops of one order, each from the previous timestamp to its own: the POST sent, the relay's
 * Kafka message timestamp of its OrderPlaced (set when the relay builds the batch: append + relay
 * pickup), the order_detail projector's ViewChanged.at (stamped right after the view write: Kafka →
 * projector fetch + the write), this process receiving that notification (the views.changed hop),
 * and its subscription message arriving (serve's hub + push).
 */
const HOPS = ['send → relay published', 'published → view written', 'view written → notified', 'notified → subscription'] as const;
type Hop = (typeof HOPS)[number];

function meanHops(ids: Iterable<string>, stamps: readonly ReadonlyMap<string, number>[]): Partial<Record<Hop, number>> {
  const sums = HOPS.map(() => ({ sum: 0, n: 0 }));
  for (const id of ids) {
    HOPS.forEach((_, i) => {
      const [a, b] = [stamps[i]?.get(id), stamps[i + 1]?.get(id)];
      const acc = sums[i];
      if (a !== undefined && b !== undefined && acc) {
        acc.sum += b - a;
        acc.n++;
      }
    });
  }
  const out: Partial<Record<Hop, number>> = {};
  HOPS.forEach((h, i) => {
    const acc = sums[i];
    if (acc && acc.n > 0) out[h] = round(acc.sum / acc.n);
  });
  return out;
}

const hopText = (h: Partial<Record<Hop, number>>) => HOPS.map((k) => `${k} ${h[k] ?? 'n/a'}`).join(', ');

const within = (p: Phase) => p.sustained && p.view !== undefined && p.viewMissing === 0 && p.view.p99 <= P99_LIMIT_MS;

function phaseFigure(p: Phase): Figure {
  const cpu = TOPOLOGY_ROLES.map((r) => `${r} ${p.cpu[r] ?? 'n/a'}`).join(', ');
  return {
    name: `ack→view p99 @${p.rate}/s asked (${round(p.achieved)}/s achieved)`, value: p.view ? round(p.view.p99) : Number.NaN, unit: 'ms',
    ...(p.view && { latency: roundSummary(p.view) }),
    notes: [
      `${p.run.scheduled} scheduled, ${p.run.started} started, ${p.run.ok} ok, ${p.run.errors} errors${p.run.firstError ? ` (first: ${p.run.firstError})` : ''}; max start slip ${Math.round(p.run.maxStartDelayMs)} ms; ${p.viewMissing} of ${p.acked} never reached the view, ${p.subMissing} never reached the subscription`,
      `hops (means, ms): ${hopText(p.hops)}`,
      `ack→subscription p50 ${p.sub ? round(p.sub.p50) : 'n/a'} p99 ${p.sub ? round(p.sub.p99) : 'n/a'} ms; ack→"view changed" received p99 ${p.notified ? round(p.notified.p99) : 'n/a'} ms`,
      `view store: ${round(p.storeCommandsPerSecond)} commands/s, ${p.storeCommandsPerCommand === undefined ? 'n/a' : round(p.storeCommandsPerCommand)} per placeOrder (saga follow-ups included)`,
      `CPU-s per role over the phase and its drain: ${cpu}`,
    ],
  };
}

/**
 * Store commands per event applied (over every projection) at {@link STORE_WORK_RATES}: batch
 * coalescing makes them fall as the rate rises (bigger batches, each touched document written once).
 */
function storeWorkFigures(phases: readonly Phase[]): Figure[] {
  const measured = STORE_WORK_RATES.map((rate) => phases.find((p) => p.rate === rate));
  const values = measured.flatMap((p) => (p?.storeCommandsPerEvent === undefined ? [] : [p.storeCommandsPerEvent]));
  const falls = values.length === STORE_WORK_RATES.length && values.every((v, i) => i === 0 || v < (values[i - 1] ?? 0));
  return measured.flatMap((p, i) => (p?.storeCommandsPerEvent === undefined ? [] : [{
    name: `store commands per event @${p.rate}/s asked (${round(p.achieved)}/s achieved)`, value: round(p.storeCommandsPerEvent), unit: 'cmd/event',
    notes: [`${p.eventsApplied} events applied over every projection, ${round(p.storeCommandsPerSecond)} store commands/s (orderflow_projector_store_commands_total ÷ orderflow_projector_events_applied_total of project)`],
    ...(i === STORE_WORK_RATES.length - 1 && {
      target: { text: `falls as the rate rises (${STORE_WORK_RATES.join(' → ')}/s)`, met: falls, ...(!falls && { reason: `measured ${values.map((v) => round(v)).join(' → ')}: batches did not grow with the rate (a rate not sustained queues instead)` }) },
    }),
  }]));
}

/**
 * Scenario 4: end-to-end freshness with the roles as production runs them. relay, project, saga,
 * notify and serve are separate child processes (`orderflow <role>`); this process is the load
 * generator only: it POSTs placeOrder to serve open-loop (a customer token per order's customer),
 * holds one `customerOrdersChanged` subscription per customer on serve, and consumes the view-changed
 * topic. For each order: acknowledged (the mutation's HTTP response) → view written (the order_detail
 * projector's view-changed `at`, stamped after the write) and → subscription message received. Rates
 * ramp up (phases of a few seconds, each drained before the next) until p99 passes 250 ms or the rate
 * is not sustained; the raw store rates of the same run show where the view store is the bound.
 */
export const freshnessScenario: Scenario = async ({ quick, log }) => {
  const notes: string[] = [];
  const figures: Figure[] = [];
  const phaseMs = quick ? 4000 : 8000;
  // The runner abandons the scenario at 240 s quick / 480 s full, figures and all: no phase starts
  // past `rampEndsAt`, and no drain runs past `drainsEndAt`, so a slow box still reports what it measured.
  const startedAt = now();
  const rampEndsAt = startedAt + (quick ? 160_000 : 380_000);
  const drainsEndAt = startedAt + (quick ? 200_000 : 420_000);
  const drainMs = () => Math.max(1000, Math.min(quick ? 15_000 : 30_000, drainsEndAt - now()));
  log('  starting relay, project, saga, notify and serve as child processes');
  const topology = await startTopology('bench_fresh');
  const kafka = testKafka('bench-fresh');
  const consumer = kafka.consumer({ groupId: `${topology.config.kafka.topicPrefix}bench.${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const clients: Client[] = [];
  try {
    const viewAt = new Map<string, number>();
    const notifiedAt = new Map<string, number>();
    const subAt = new Map<string, number>();
    const sentAt = new Map<string, number>();
    const publishedAt = new Map<string, number>();
    const placeOrder = async (customer: string, n: number): Promise<string> => {
      const orderId = randomUUID();
      sentAt.set(orderId, now());
      const r = await topology.gql<PlaceOrder>(PLACE_ORDER, { input: { ...placeOrderInput(customer, n), orderId } }, tokens.customer(customer));
      const id = r.data?.placeOrder?.id;
      if (id === undefined || r.errors) throw new Error(`placeOrder failed: ${JSON.stringify(r.errors ?? r.data)}`);
      return id;
    };

    await consumer.connect();
    const ordersTopic = familyTopic(topology.config.kafka.topicPrefix, 'orders');
    await consumer.subscribe({ topics: [viewChangedTopic(topology.config.kafka.topicPrefix), ordersTopic], fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const t = now();
        if (topic === ordersTopic) {
          const { envelope } = decodeEvent(message);
          if (envelope.type === 'OrderPlaced') publishedAt.set(envelope.streamId.replace(/^order-/, ''), Number(message.timestamp));
          return;
        }
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
      const client = createClient({ url: topology.wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: { authorization: `Bearer ${tokens.customer(c)}` } });
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
      for (const [i, c] of pending.entries()) warm.set(await placeOrder(c, i), c);
      return false;
    }, 60_000, 500);
    if (!ready) notes.push('warm-up: not every subscription delivered within 60 s before the run');
    await sleep(1000); // the warm-up orders' saga follow-ups
    for (const id of warm.keys()) {
      subAt.delete(id);
      viewAt.delete(id);
      notifiedAt.delete(id);
    }

    /** One open-loop phase; latencies are paired per order id acknowledged in this phase. */
    const phase = async (rate: number): Promise<Phase> => {
      const acked = new Map<string, number>();
      const work0 = await storeWork(topology);
      const cpu0 = topology.cpuSeconds();
      const t0 = now();
      log(`  open loop ${rate} placeOrder/s over HTTP for ${phaseMs} ms`);
      const run = await openLoop({
        ratePerSecond: rate, durationMs: phaseMs, maxInFlight: 256,
        op: async (n) => {
          const id = await placeOrder(customers[n % CUSTOMERS] ?? 'x', n);
          acked.set(id, now());
        },
      });
      const achieved = ratePerSecond(run.ok, run.elapsedMs);
      await waitUntil(() => [...acked.keys()].every((id) => viewAt.has(id) && subAt.has(id)), drainMs(), 100);
      const seconds = (now() - t0) / 1000;
      const work1 = await storeWork(topology);
      const cpu1 = topology.cpuSeconds();
      const view = pairLatencies(acked, viewAt);
      const sub = pairLatencies(acked, subAt);
      const commands = work1.commands - work0.commands;
      const cpu: Partial<Record<TopologyRole, number>> = {};
      for (const r of TOPOLOGY_ROLES) {
        const [a, b] = [cpu0[r], cpu1[r]];
        if (a !== undefined && b !== undefined) cpu[r] = round(b - a);
      }
      const p: Phase = {
        rate, run, achieved, sustained: run.started === run.scheduled && run.errors === 0 && achieved >= rate * 0.95, acked: acked.size,
        view: summarize(view.latencies), viewMissing: view.missing, sub: summarize(sub.latencies), subMissing: sub.missing,
        notified: summarize(pairLatencies(acked, notifiedAt).latencies),
        hops: meanHops(acked.keys(), [sentAt, publishedAt, viewAt, notifiedAt, subAt]),
        storeCommandsPerSecond: commands / seconds, storeCommandsPerCommand: run.ok > 0 ? commands / run.ok : undefined,
        storeCommandsPerEvent: work1.applied > work0.applied ? commands / (work1.applied - work0.applied) : undefined, eventsApplied: work1.applied - work0.applied, cpu,
      };
      log(`  hops: ${hopText(p.hops)}`);
      log(`  achieved ${achieved.toFixed(0)}/s; ack→view p50 ${p.view ? round(p.view.p50) : 'n/a'} p99 ${p.view ? round(p.view.p99) : 'n/a'} ms (${p.viewMissing} missing); store ${round(p.storeCommandsPerSecond)} cmd/s`);
      await sleep(1000); // saga follow-ups of the last orders, before the next phase
      return p;
    };

    const phases: Phase[] = [];
    for (const rate of quick ? RAMP.quick : RAMP.full) {
      if (now() + phaseMs > rampEndsAt) {
        notes.push(`ramp cut short before ${rate}/s: the scenario's time budget was spent (slow startup or drains on a loaded box)`);
        break;
      }
      const p = await phase(rate);
      phases.push(p);
      // The ramp ends at the first rate that misses (past it, everything only queues) once the target rate
      // and the store-work rates are measured.
      if (!within(p) && rate >= Math.max(TARGET_RATE, ...STORE_WORK_RATES)) break;
    }
    log('  raw store rates (same run)');
    const store = await measureStoreRates({ concurrency: 16, seconds: quick ? 2 : 4 });

    const at = phases.find((p) => p.rate === TARGET_RATE);
    if (!at) figures.push({ name: `ack→view @${TARGET_RATE}/s (roles as processes)`, value: Number.NaN, unit: 'ms', target: { text: 'p50 ≤ 25 ms, p99 ≤ 100 ms', met: false, reason: `not measured: the ramp stopped before ${TARGET_RATE}/s (time budget)` } });
    if (at) {
      const sustainedText = `steady ${TARGET_RATE} cmd/s`;
      figures.push({
        name: `achieved command rate @${TARGET_RATE}/s asked (roles as processes)`, value: round(at.achieved), unit: 'cmd/s',
        target: { text: sustainedText, met: at.sustained, ...(!at.sustained && { reason: `${at.run.scheduled - at.run.started} of ${at.run.scheduled} never started, ${at.run.errors} errors, schedule slipped up to ${Math.round(at.run.maxStartDelayMs)} ms` }) },
      });
      for (const [q, limit] of [['p50', 25], ['p99', 100]] as const) {
        const v = at.view?.[q];
        figures.push({
          name: `ack→view ${q} @${TARGET_RATE}/s (roles as processes)`, value: v === undefined ? Number.NaN : round(v), unit: 'ms',
          ...(at.view && { latency: roundSummary(at.view) }),
          target: { text: `${q} ≤ ${limit} ms`, met: v !== undefined && v <= limit && at.viewMissing === 0, ...(!(v !== undefined && v <= limit) && { reason: 'five role processes, the load generator and the shared stack on 2 cores beside other sessions (see cpuSeconds and load average); per-hop split in the confirmation scenario' }) },
          ...(at.viewMissing > 0 && { notes: [`${at.viewMissing} of ${at.acked} never reached the view`] }),
        });
      }
      if (at.sub) figures.push({ name: `ack→subscription msg p99 @${TARGET_RATE}/s`, value: round(at.sub.p99), unit: 'ms', latency: roundSummary(at.sub) });
      for (const h of HOPS) {
        const v = at.hops[h];
        if (v !== undefined) figures.push({ name: `hop ${h} @${TARGET_RATE}/s (mean)`, value: v, unit: 'ms' });
      }
    }
    const best = phases.filter(within).at(-1);
    figures.push({
      name: `highest rate with ack→view p99 ≤ ${P99_LIMIT_MS} ms (roles as processes)`, value: best ? round(best.achieved) : 0, unit: 'cmd/s',
      ...(best?.view && { latency: roundSummary(best.view) }),
      notes: [best ? `asked ${best.rate}/s; next step ${phases[phases.indexOf(best) + 1]?.rate ?? 'none (top of the ramp)'}` : `no rate of the ramp (${phases.map((p) => p.rate).join(', ')}) kept p99 ≤ ${P99_LIMIT_MS} ms`],
    });
    figures.push(...phases.map(phaseFigure));
    figures.push(...storeWorkFigures(phases));
    // The view store as the bound: its raw guarded-update rate over the store commands one placeOrder costs at the last rate.
    const last = phases.at(-1);
    if (last?.storeCommandsPerCommand) {
      figures.push({
        name: `view-store ceiling: raw guarded updateOne/s ÷ store commands per placeOrder @${last.rate}/s`, value: round(store.guardedUpdate.rate / last.storeCommandsPerCommand), unit: 'cmd/s',
        baseline: { what: `raw store guarded updateOne @${store.guardedUpdate.concurrency}, same run`, value: round(store.guardedUpdate.rate), unit: 'op/s' },
        notes: [`${round(last.storeCommandsPerCommand)} store commands per placeOrder at ${last.rate}/s asked (they fall as batches grow); when the achieved rate nears this ceiling the store is the bound`],
      });
    }
    figures.push(...storeRateFigures(store));
    notes.push(`ramp ${(quick ? RAMP.quick : RAMP.full).join(', ')} placeOrder/s over HTTP to serve, ${phaseMs / 1000} s each, every phase drained (≤ ${quick ? 15 : 30} s) before the next; stops at the first rate ≥ ${TARGET_RATE}/s whose p99 passes ${P99_LIMIT_MS} ms or that is not sustained`);
    notes.push(`relay, project, saga, notify and serve run as separate child processes (orderflow <role>); this process only generates load (fetch, ${CUSTOMERS} customers), holds ${CUSTOMERS} graphql-ws subscriptions and consumes the view-changed topic`);
    notes.push('"view written" = ViewChanged.at of the order_detail projector (ms resolution, another process, same machine clock), stamped after the view write: ack→view is measured from the mutation\'s HTTP response');
    return { id: 'freshness', title: '4. End-to-end freshness with the roles as separate processes', figures, notes };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await consumer.disconnect().catch(() => undefined);
    await topology.stop();
  }
};
