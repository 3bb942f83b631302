import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { catalogueCommands } from '../../command-side/handlers/catalogue.ts';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import { kafkaBrokers } from '../../tests/support/isolation.ts';
import { tokens } from '../../tests/support/app.ts';
import { ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { autocannon } from '../lib/autocannon.ts';
import { PLACE_ORDER, quietLogger } from '../lib/app.ts';
import { createKafka } from '../../messaging/kafka.ts';
import { ensureTopics, viewChangedTopic } from '../../messaging/topics.ts';
import { childProfileArgs, profileChildWindow } from '../lib/childProfiler.ts';
import { processCpuSeconds } from '../lib/cpu.ts';
import { BENCH_SKUS, placeOrderInput } from '../lib/fixtures.ts';
import { closedLoop } from '../lib/load.ts';
import { benchRoleEnv } from '../lib/roleEnv.ts';
import { freePort, spawnRole } from '../lib/roleProcess.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const CONNECTIONS = 32;
const CUSTOMER = 'cust-api';

/**
 * Scenario: the API's own overhead. `orderflow serve` runs alone in a child process (no relay, no
 * projectors: placeOrder only needs Postgres), autocannon (another process) POSTs the placeOrder
 * mutation on 32 keep-alive connections; the command handler in the bench process runs the same
 * command at 32 writers against the same database just before and just after. Ratio = HTTP / handler
 * (both handler runs together).
 */
export const apiScenario: Scenario = async ({ quick, log }) => {
  const notes: string[] = [];
  const figures: Figure[] = [];
  const { env, databaseUrl, prefix, drop } = await benchRoleEnv('bench_api');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
  const handler = createCommandHandler({ store: createEventStore(pool) });
  for (const [i, sku] of BENCH_SKUS.entries()) {
    await catalogueCommands(handler).defineProduct({ sku, name: sku, unitPrice: { amountMinor: 1000 + i * 250, currency: 'EUR' } }, { correlationId: randomUUID() });
  }
  // serve's subscription hub consumes the view-changed topic, which the projectors create: create it here.
  const admin = createKafka({ brokers: kafkaBrokers, clientId: 'bench-api', logger: quietLogger }).admin();
  await admin.connect();
  await ensureTopics(admin, [viewChangedTopic(prefix)], 3, 1).finally(() => admin.disconnect());
  const port = await freePort();
  const inspectPort = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const serve = await spawnRole('serve', { ...env, ORDERFLOW_HTTP_PORT: String(port) }, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 180_000, childProfileArgs(inspectPort));
  try {
    const durationSeconds = quick ? 5 : 10;
    const warmupSeconds = quick ? 1 : 2;
    const orders = orderCommands(handler, createPostgresPaymentVault(pool));
    const handlerRun = () => closedLoop({ concurrency: CONNECTIONS, durationMs: durationSeconds * 1000, warmupMs: warmupSeconds * 1000, op: (w, n) => orders.placeOrder(placeOrderInput(`cust-${w}`, n), { correlationId: randomUUID() }) });
    // The handler runs before and after HTTP and the baseline is both together: on a shared box the
    // load drifts within a minute, and one run on one side would bias the ratio by that drift.
    const before = await handlerRun();
    const serveCpu0 = processCpuSeconds(serve.pid);
    const http = await profileChildWindow(inspectPort, 'api-serve-placeOrder', () => autocannon({
      url, connections: CONNECTIONS, durationSeconds, warmupSeconds,
      body: JSON.stringify({ query: PLACE_ORDER, variables: { input: placeOrderInput(CUSTOMER, 0) } }),
      headers: { authorization: `Bearer ${tokens.customer(CUSTOMER)}` },
    }));
    const serveCpu1 = processCpuSeconds(serve.pid);
    const serveCpu = serveCpu0 === undefined || serveCpu1 === undefined ? undefined : round(serveCpu1 - serveCpu0);
    const after = await handlerRun();
    const directRate = ratePerSecond(before.ok + after.ok, before.elapsedMs + after.elapsedMs);
    const directLat = summarize([...before.latencies, ...after.latencies]);
    const rateOf = (run: typeof before) => round(ratePerSecond(run.ok, run.elapsedMs));
    log(`  HTTP: ${http.rate.toFixed(0)}/s p99 ${http.latency.p99} ms (${http.non2xx} non-2xx, ${http.errors} errors); handler: ${directRate.toFixed(0)}/s (before ${rateOf(before)}/s, after ${rateOf(after)}/s; ${before.errors + after.errors} errors)`);
    const r = ratio(http.rate, directRate);
    figures.push({
      name: `placeOrder over HTTP @${CONNECTIONS} connections (serve alone)`, value: round(http.rate), unit: 'req/s',
      baseline: { what: `placeOrder through the handler @${CONNECTIONS} writers, same database`, value: round(directRate), unit: 'cmd/s' },
      ...(r !== undefined && { ratio: round(r) }),
      target: { text: '≥ 0.5 of the handler', met: r !== undefined && r >= 0.5, ...((r === undefined || r < 0.5) && { reason: 'see the p99 and the CPU split' }) },
      latency: { count: http.latency.count, min: http.latency.min, mean: http.latency.mean, p50: http.latency.p50, p90: http.latency.p90, p99: http.latency.p99, max: http.latency.max },
      ...(directLat && { baselineLatency: roundSummary(directLat) }),
      notes: [
        `${http.non2xx} non-2xx, ${http.errors} errors, ${http.timeouts} timeouts; handler baseline = its runs just before (${rateOf(before)}/s) and just after (${rateOf(after)}/s) the HTTP run, together`,
        `CPU split over ${durationSeconds + warmupSeconds} s of HTTP load (warm-up included): serve ${serveCpu ?? 'n/a'} CPU-s${serveCpu !== undefined && http.ok2xx > 0 ? ` (${round((serveCpu * 1e6 * durationSeconds) / (durationSeconds + warmupSeconds) / http.ok2xx)} µs per request)` : ''}, autocannon (its own process) ${http.cpuSeconds === undefined ? 'n/a' : round(http.cpuSeconds)} CPU-s; Postgres and the rest of the box share the other core`,
      ],
    });
    figures.push({
      name: `placeOrder over HTTP p99 @${CONNECTIONS}`, value: http.latency.p99, unit: 'ms',
      target: { text: 'p99 < 25 ms', met: http.latency.p99 < 25, ...(http.latency.p99 >= 25 && { reason: 'shared 2 cores: serve, autocannon, Postgres and other sessions' }) },
      ...(directLat && { baseline: { what: 'handler p99 @32', value: round(directLat.p99), unit: 'ms' } }),
    });
    notes.push(`serve runs alone in a child process (pid ${serve.pid}; relay and projectors not running: placeOrder needs only Postgres); autocannon is a third process; ${durationSeconds} s measured after ${warmupSeconds} s warm-up each: the handler, HTTP, the handler again`);
    return { id: 'api', title: 'The API’s own overhead: placeOrder over HTTP (serve alone) vs the handler', figures, notes };
  } finally {
    await serve.stop();
    await pool.end();
    await drop();
  }
};
