import { loadavg } from 'node:os';
import { MongoClient } from 'mongodb';
import { startSmtpSink, type SmtpSink } from '../../command-side/index.ts';
import { seedCatalogue } from '../../ops/chaos/load.ts';
import { spawnTopology, type TopologyProcess } from '../../ops/chaos/topologyProcess.ts';
import { runWithCleanup } from '../../ops/runWithCleanup.ts';
import { databaseName } from '../../ops/database.ts';
import { parseShape, planTopology } from '../../ops/topology/plan.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, uniqueId } from '../../tests/support/isolation.ts';
import { now, sleep } from '../lib/clock.ts';
import { dropDatabase } from '../lib/db.ts';
import { BENCH_SKUS } from '../lib/fixtures.ts';
import { freePortRange } from '../lib/freePortRange.ts';
import { deleteTopicsWithPrefix } from '../lib/kafka.ts';
import { startFleet, type WsFleet } from '../lib/wsFleet.ts';
import { roundSummary, summarize } from '../stats.ts';
import { soakChecks } from './checks.ts';
import { createDeliveryTracker } from './deliveries.ts';
import { createLogTally } from './logTally.ts';
import { startPlaceLoad, type PlaceLoad } from './placeLoad.ts';
import { sampleProcess, type SoakTarget } from './sampleProcess.ts';
import type { SoakOptions, SoakReport, SoakSample } from './types.ts';
import { lagTrend, processVerdicts } from './verdicts.ts';

/** Subscribers per customer: the default per-subject socket cap (ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT). */
const SOCKETS_PER_CUSTOMER = 20;
const SUB = 'subscription($c: String!) { customerOrdersChanged(customerId: $c) { token order { id status detail { status } } } }';
/** Stock per SKU: every order of a long soak can be served, so the saga confirms rather than rejects. */
const STOCK = 1_000_000;

/** Environment a child must inherit for the stack's own settings (ports, folder) to match this run's. */
function stackEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).flatMap(([k, v]) => (/^ORDERFLOW_(PG|KAFKA|MONGO|FERRETDB|REDIS|STACK)_/.test(k) && v !== undefined ? [[k, v]] : [])));
}

async function allReady(targets: readonly SoakTarget[]): Promise<boolean> {
  const up = await Promise.all(targets.map((t) => fetch(`http://127.0.0.1:${t.port}/readyz`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status === 200, () => false)));
  return up.every(Boolean);
}

/**
 * The soak: `orderflow start --topology` (the supervised production shape, `--shape`) on a fresh
 * database, topic prefix and view database of the shared stack; the catalogue seeded and stocked;
 * `subscribers` graphql-ws subscriptions on `customerOrdersChanged` (with the DataLoader-backed
 * `detail`) held by a child process, 20 per customer, through the proxy; a steady placeOrder load by
 * those customers. Every `intervalS` it samples each process's heap after a forced GC, its RSS and its
 * lag, and the end-to-end lag (ack → first push). At the end it drains (every accepted order must
 * reach every subscriber of its customer), stops everything it started, and judges. Never throws:
 * a failure is the report's `error`.
 */
export async function runSoak(opts: SoakOptions, log: (line: string) => void): Promise<SoakReport> {
  const startedAt = new Date().toISOString();
  const loadStart = loadavg().map((v) => Math.round(v * 100) / 100);
  const began = Date.now();
  const tag = uniqueId('soak');
  const customers = Array.from({ length: Math.max(1, Math.ceil(opts.subscribers / SOCKETS_PER_CUSTOMER)) }, (_, i) => `${tag}-c${i}`);
  const samples: SoakSample[] = [];
  const logs = createLogTally();
  let topology: TopologyProcess | undefined;
  let fleet: WsFleet | undefined;
  let load: PlaceLoad | undefined;
  let sink: SmtpSink | undefined;
  let databaseUrl: string | undefined;
  let topologyExitCode: number | null = null;
  let readyS = 0;
  let subscribersOpenS = 0;
  let opened = { open: 0, failed: 0 };
  const openOf = new Map<string, number>();
  const tracker = createDeliveryTracker((seq) => load?.ackedAt(seq));

  const cleanup = async () => {
    await load?.stop().catch(() => undefined);
    await fleet?.close().catch(() => undefined);
    if (topology) topologyExitCode = await topology.stop(90_000);
    await sink?.stop().catch(() => undefined);
    await deleteTopicsWithPrefix(`${tag}.`).catch(() => undefined);
    if (databaseUrl) await dropDatabase(databaseName(databaseUrl)).catch(() => undefined);
    const mongo = new MongoClient(mongoConnectionUrl);
    await mongo.connect().then(() => mongo.db(tag).dropDatabase()).catch(() => undefined);
    await mongo.close();
  };

  const work = async () => {
    databaseUrl = await freshPostgres('soak');
    sink = await startSmtpSink({ port: 0 });
    const shape = parseShape(opts.shape);
    const count = Object.values(shape).reduce((a, b) => a + b, 0);
    // One run of ports: serve-N at base + N, the supervisor's ops port and then each worker's, the proxy last.
    const servePortBase = await freePortRange(2 * count + 2);
    const opsPortBase = servePortBase + count + 1;
    const httpPort = opsPortBase + count + 1;
    const specs = planTopology({ shape, servePortBase, opsPortBase });
    const targets: SoakTarget[] = [...specs.map((s) => ({ name: s.name, port: s.opsPort })), { name: 'supervisor', port: opsPortBase }];
    const url = `http://127.0.0.1:${httpPort}/graphql`;
    topology = spawnTopology({
      shape: opts.shape, servePortBase, opsPortBase, onLine: logs.line,
      env: {
        ...stackEnv(),
        ORDERFLOW_ENV: 'test', LOG_LEVEL: 'info', ORDERFLOW_AUTH_MODE: 'dev',
        DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), MONGO_URL: mongoConnectionUrl, MONGO_DB: tag,
        ORDERFLOW_TOPIC_PREFIX: `${tag}.`, ORDERFLOW_TOPIC_PARTITIONS: '6', ORDERFLOW_HTTP_PORT: String(httpPort),
        // The supervisor's own ops listener (its children get theirs from the plan).
        ORDERFLOW_OPS_PORT: String(opsPortBase),
        ORDERFLOW_SMTP_SINK: 'off', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), NOTIFY_FROM: 'orders@soak.orderflow.test',
        NODE_OPTIONS: '--expose-gc', ORDERFLOW_DEBUG_HEAP: '1',
        // Every subscriber comes from this one address; the per-customer caps stay at their defaults.
        ORDERFLOW_WS_MAX_SOCKETS_PER_IP: String(opts.subscribers + 100),
        ORDERFLOW_VIEW_CACHE_ENTRIES: String(opts.viewCacheEntries),
      },
    });
    const readyBy = Date.now() + 600_000;
    while (!(await allReady(targets))) {
      if (Date.now() > readyBy) throw new Error(`topology not ready within 600 s:\n${topology.tail(20).join('\n')}`);
      await sleep(500);
    }
    readyS = Math.round((Date.now() - began) / 1000);
    log(`topology ready after ${readyS} s: ${targets.map((t) => `${t.name}:${t.port}`).join(' ')}`);
    await seedCatalogue(url, [...BENCH_SKUS], STOCK);
    fleet = await startFleet();
    for (const [i, c] of customers.entries()) {
      const n = Math.min(SOCKETS_PER_CUSTOMER, opts.subscribers - i * SOCKETS_PER_CUSTOMER);
      const r = await fleet.open({ mode: 'graphql', key: 'orderSeq', url: url.replace(/^http/, 'ws'), token: `dev:${c}:customer`, count: n, batch: n, query: SUB, variables: { c } });
      openOf.set(c, r.open);
      opened = { open: opened.open + r.open, failed: opened.failed + r.failed };
      if (r.failed > 0) log(`  ${r.failed} of ${n} subscribers of ${c} failed: ${r.firstError ?? '?'}`);
    }
    subscribersOpenS = Math.round((Date.now() - began) / 1000) - readyS;
    log(`${opened.open} subscribers open (${opened.failed} failed) in ${subscribersOpenS} s; ${opts.rate} placeOrder/s for ${opts.minutes} min, a sample every ${opts.intervalS} s`);

    const activeFleet = fleet;
    const activeTopology = topology;
    const placeLoad = startPlaceLoad({ url, rate: opts.rate, customers });
    load = placeLoad;
    const loadBegan = Date.now();
    let lastE2e = { sum: 0, count: 0 };
    let lastHubLoad = { sum: 0, count: 0 };
    const meanMsSince = (cur: { sum: number; count: number }, last: { sum: number; count: number }) =>
      (cur.count > last.count ? Math.round(((cur.sum - last.sum) / (cur.count - last.count)) * 10_000) / 10 : null);
    const sample = async (): Promise<void> => {
      // Before the collect, which resets the fleet's event-loop histogram.
      const fleetStatus = await activeFleet.status();
      const lags = tracker.ingest(await activeFleet.collect(), now());
      const pids = activeTopology.pids();
      const measured = await Promise.all(targets.map(async (t) => [t.name, { ...(await sampleProcess(t)), pid: t.name === 'supervisor' ? activeTopology.pid : (pids.get(t.name) ?? null) }] as const));
      const processes = Object.fromEntries(measured);
      const e2e = measured.reduce((a, [, p]) => ({ sum: a.sum + p.appendToViewSum, count: a.count + p.appendToViewCount }), { sum: 0, count: 0 });
      const hubLoad = measured.reduce((a, [, p]) => ({ sum: a.sum + p.hubLoadSum, count: a.count + p.hubLoadCount }), { sum: 0, count: 0 });
      const counts = placeLoad.counts();
      const lag = summarize(lags);
      const s: SoakSample = {
        atS: Math.round((Date.now() - loadBegan) / 1000),
        accepted: counts.accepted,
        failed: Object.values(counts.failedByCode).reduce((a, b) => a + b, 0),
        deliveries: tracker.total(),
        lagMs: lag ? roundSummary(lag) : null,
        appendToViewMeanMs: meanMsSince(e2e, lastE2e),
        hubLoadMeanMs: meanMsSince(hubLoad, lastHubLoad),
        fleetLoopDelayMs: { p99: Math.round(fleetStatus.loopDelayP99Ms * 10) / 10, max: Math.round(fleetStatus.loopDelayMaxMs * 10) / 10 },
        consumerLag: measured.reduce((a, [, p]) => a + p.consumerLag, 0),
        outboxBacklog: measured.reduce((a, [, p]) => a + p.outboxBacklog, 0),
        processes,
      };
      lastE2e = e2e;
      lastHubLoad = hubLoad;
      samples.push(s);
      log(`  t=${s.atS}s accepted=${s.accepted} failed=${s.failed} deliveries=${s.deliveries} lag p50/p99=${s.lagMs?.p50 ?? '-'}/${s.lagMs?.p99 ?? '-'} ms append→view=${s.appendToViewMeanMs ?? '-'} ms hub read=${s.hubLoadMeanMs ?? '-'} ms fleet loop delay p99/max=${s.fleetLoopDelayMs.p99}/${s.fleetLoopDelayMs.max} ms consumerLag=${s.consumerLag} `
        + `heap MiB ${measured.map(([name, p]) => `${name}=${p.heapAfterGcMiB ?? '?'}`).join(' ')} event-loop p99 ms ${measured.map(([name, p]) => `${name}=${p.eventLoopP99Ms}`).join(' ')}`);
    };
    const intervals = Math.max(1, Math.round((opts.minutes * 60) / opts.intervalS));
    for (let k = 0; k <= intervals; k++) {
      await sleep(Math.max(0, loadBegan + k * opts.intervalS * 1000 - Date.now()));
      if (activeTopology.exits.length > 0) log(`  supervisor restarted: ${activeTopology.exits.map((e) => `${e.process} (code ${String(e.code)}, ${String(e.signal)})`).join(', ')}`);
      await sample();
    }
    await placeLoad.stop();
    // Drain (up to 3 min): every accepted order must reach every subscriber of its customer.
    const allReached = () => [...placeLoad.accepted()].every(([seq, c]) => tracker.reached(seq) >= (openOf.get(c) ?? 0));
    for (const drainBy = Date.now() + 180_000; !allReached() && Date.now() < drainBy;) {
      await sleep(1_000);
      tracker.ingest(await activeFleet.collect(), now());
    }
  };
  const { error, left: processesLeft } = await runWithCleanup({
    what: 'soak', log, work, cleanup,
    started: () => [...(topology?.allPids() ?? []), ...(topology ? [topology.pid] : []), ...(fleet ? [fleet.pid] : [])],
  });
  const counts = load?.counts() ?? { scheduled: 0, sent: 0, accepted: 0, failedByCode: {}, firstFailure: {}, skippedInFlight: 0 };
  const undelivered = [...(load?.accepted() ?? [])].filter(([seq, c]) => tracker.reached(seq) < (openOf.get(c) ?? 0)).length;
  const processes = processVerdicts(samples, opts.warmupS, opts.heapTolerancePercent);
  const lag = lagTrend(samples, opts.warmupS);
  const report = {
    startedAt, minutes: opts.minutes, rate: opts.rate, subscribers: opts.subscribers, intervalS: opts.intervalS, warmupS: opts.warmupS, shape: opts.shape,
    heapTolerancePercent: opts.heapTolerancePercent, viewCacheEntries: opts.viewCacheEntries, loadAverage: { start: loadStart, end: loadavg().map((v) => Math.round(v * 100) / 100) },
    readyS, subscribersOpenS, subscribersOpen: opened.open, subscribersFailed: opened.failed,
    load: counts, undelivered, deliveries: tracker.total(), logs: logs.tally(), processes, lag, processesLeft, topologyExitCode,
    ...(error !== undefined && { error }), samples,
  };
  return { ...report, passed: soakChecks(report).every(([ok]) => ok) };
}
