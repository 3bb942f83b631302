import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { catalogueCommands } from '../../command-side/handlers/catalogue.ts';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import { createTokenCodec } from '../../query-side/consistency/codec.ts';
import { tokens } from '../../tests/support/app.ts';
import { ratio, round } from '../stats.ts';
import { autocannon, type HttpLoadResult } from '../lib/autocannon.ts';
import { childProfileArgs, profileChildWindow } from '../lib/childProfiler.ts';
import { processCpuSeconds } from '../lib/cpu.ts';
import { BENCH_SKUS, placeOrderInput } from '../lib/fixtures.ts';
import { benchRoleEnv } from '../lib/roleEnv.ts';
import { freePort, spawnRole, type RoleProcess } from '../lib/roleProcess.ts';
import { measureStoreRates, storeRateFigures } from '../lib/storeRates.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const CONNECTIONS = 32;
const ORDERS = 200;
const ORDER = `query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id status total { amountMinor currency } lines { sku quantity } } }`;

const opsReady = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;

/** The value of an unlabelled Prometheus sample in a /metrics text (undefined when absent). */
function sample(metricsText: string, name: string): number | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/**
 * Scenario: point reads over HTTP. relay and project run as child processes and project 200 orders,
 * then stop; `orderflow serve` runs alone in a child process of its own and autocannon (a third process) POSTs
 * `order(id)` on 32 keep-alive connections, first with the view cache (default bounds), then against a
 * serve with `ORDERFLOW_VIEW_CACHE_ENTRIES=0` (every read a store `findOne`). The baselines are the view
 * store's raw rates measured in the same run, after the HTTP runs (findOne by _id, guarded updateOne,
 * insertMany).
 */
export const readsScenario: Scenario = async ({ quick, log }) => {
  const notes: string[] = [];
  const figures: Figure[] = [];
  const { env, config, databaseUrl, drop } = await benchRoleEnv('bench_reads');
  // The serve children sign and verify with the same (development) key: mint the tokens a mutation would return.
  if (!config.consistency.signing) throw new Error('no consistency signing key in the bench environment');
  const codec = createTokenCodec({ signing: config.consistency.signing });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  const roles: RoleProcess[] = [];
  const start = async (role: string, extra: Record<string, string> = {}) => {
    const ops = await freePort();
    const p = await spawnRole(role, { ...env, ORDERFLOW_OPS_PORT: String(ops), ...extra }, opsReady(ops), 180_000);
    roles.push(p);
    return p;
  };
  try {
    const handler = createCommandHandler({ store: createEventStore(pool) });
    for (const [i, sku] of BENCH_SKUS.entries()) {
      await catalogueCommands(handler).defineProduct({ sku, name: sku, unitPrice: { amountMinor: 1000 + i * 250, currency: 'EUR' } }, { correlationId: randomUUID() });
    }
    await start('project');
    await start('relay');
    const orders = orderCommands(handler, createPostgresPaymentVault(pool));
    const placed: { id: string; token: string }[] = [];
    for (let n = 0; n < ORDERS; n++) {
      const r = await orders.placeOrder(placeOrderInput(`cust-reads-${n % 20}`, n), { correlationId: randomUUID() });
      placed.push({ id: r.streamId.replace(/^order-/, ''), token: codec.stream(r.streamId, r.position) });
    }

    /** Serves the projected orders in a child process; resolves once every one reads back by its token. */
    const serveWith = async (extra: Record<string, string>) => {
      const port = await freePort();
      const inspectPort = await freePort();
      const proc = await spawnRole('serve', { ...env, ORDERFLOW_HTTP_PORT: String(port), ...extra }, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 180_000, childProfileArgs(inspectPort));
      roles.push(proc);
      const url = `http://127.0.0.1:${port}/graphql`;
      for (const o of placed) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.staff}` }, body: JSON.stringify({ query: ORDER, variables: { id: o.id, t: o.token } }) });
        const body = (await res.json()) as { data?: { order?: { id?: string } | null }; errors?: unknown[] };
        if (body.data?.order?.id !== o.id) throw new Error(`order ${o.id} did not read back by its token: ${JSON.stringify(body.errors ?? body.data)}`);
      }
      return { proc, url, port, inspectPort };
    };
    const durationSeconds = quick ? 5 : 10;
    const warmupSeconds = quick ? 1 : 2;
    /** autocannon against a serve, with the CPU seconds the serve process burnt meanwhile (profiled with BENCH_PROFILE). */
    const hammer = async (serve: { url: string; proc: RoleProcess; inspectPort: number }, name: string): Promise<HttpLoadResult & { serveCpuSeconds: number | undefined }> => {
      const cpu0 = processCpuSeconds(serve.proc.pid);
      const r = await profileChildWindow(serve.inspectPort, name, () => autocannon({
        url: serve.url, connections: CONNECTIONS, durationSeconds, warmupSeconds,
        body: JSON.stringify({ query: ORDER, variables: { id: placed[ORDERS - 1]?.id } }),
        headers: { authorization: `Bearer ${tokens.staff}` },
      }));
      const cpu1 = processCpuSeconds(serve.proc.pid);
      return { ...r, serveCpuSeconds: cpu0 === undefined || cpu1 === undefined ? undefined : round(cpu1 - cpu0) };
    };

    const cached = await serveWith({});
    // Every order read back by its token: the projection is done, so serve can run alone.
    for (const p of roles.splice(0, 2)) await p.stop();
    log(`  ${ORDERS} orders projected (relay + project as child processes, now stopped); order(id) over HTTP, view cache on`);
    const http = await hammer(cached, 'reads-serve-cached');
    const metricsText = await (await fetch(`http://127.0.0.1:${cached.port}/metrics`)).text();
    const hitRatio = sample(metricsText, 'orderflow_view_cache_hit_ratio');
    await cached.proc.stop();

    const uncached = await serveWith({ ORDERFLOW_VIEW_CACHE_ENTRIES: '0' });
    log('  order(id) over HTTP, view cache off');
    const httpOff = await hammer(uncached, 'reads-serve-uncached');
    await uncached.proc.stop();

    log('  raw store rates (same run)');
    const store = await measureStoreRates({ concurrency: CONNECTIONS, seconds: quick ? 3 : 5 });
    log(`  HTTP cached ${http.rate.toFixed(0)}/s p99 ${http.latency.p99} ms; uncached ${httpOff.rate.toFixed(0)}/s; raw findOne ${store.findOne.rate.toFixed(0)}/s, guarded updateOne ${store.guardedUpdate.rate.toFixed(0)}/s, insertMany ${store.insertMany.docsPerSecond.toFixed(0)} docs/s`);
    const r = ratio(http.rate, store.findOne.rate);
    const fast = http.rate >= 2000 && r !== undefined && r >= 5;
    figures.push({
      name: `order(id) over HTTP @${CONNECTIONS} connections (view cache, serve alone)`, value: round(http.rate), unit: 'req/s',
      baseline: { what: `raw store findOne by _id @${CONNECTIONS}, same run`, value: round(store.findOne.rate), unit: 'op/s' },
      ...(r !== undefined && { ratio: round(r) }),
      target: { text: '≥ 2,000 req/s and ≥ 5× raw findOne', met: fast, ...(!fast && { reason: 'serve is CPU-bound (see req/CPU-s); serve, autocannon and the rest of the box share 2 cores; see load average' }) },
      latency: { count: http.latency.count, min: http.latency.min, mean: http.latency.mean, p50: http.latency.p50, p90: http.latency.p90, p99: http.latency.p99, max: http.latency.max },
      notes: [
        `${http.non2xx} non-2xx, ${http.errors} errors, ${http.timeouts} timeouts; view cache hit ratio in serve's /metrics after the run: ${hitRatio === undefined ? 'n/a' : round(hitRatio)}`,
        `CPU split over ${durationSeconds + warmupSeconds} s of load (warm-up included): serve ${http.serveCpuSeconds ?? 'n/a'} CPU-s, autocannon (its own process) ${http.cpuSeconds === undefined ? 'n/a' : round(http.cpuSeconds)} CPU-s; serve is bound by its own CPU (one event loop), not by the store`,
      ],
    });
    figures.push({
      name: `order(id) over HTTP p99 @${CONNECTIONS}`, value: http.latency.p99, unit: 'ms',
      target: { text: 'p99 < 50 ms', met: http.latency.p99 < 50, ...(http.latency.p99 >= 50 && { reason: 'shared 2 cores' }) },
    });
    if (http.serveCpuSeconds !== undefined && http.serveCpuSeconds > 0) {
      figures.push({
        name: `order(id) over HTTP per serve CPU-second (view cache)`, value: round((http.ok2xx * (durationSeconds + warmupSeconds)) / durationSeconds / http.serveCpuSeconds), unit: 'req/CPU-s',
        notes: ['2xx of the measured window scaled to the warm-up + window over the CPU serve burnt in both: what one fully available core would serve, whatever else loads the box'],
      });
    }
    const off = ratio(httpOff.rate, store.findOne.rate);
    figures.push({
      name: `order(id) over HTTP @${CONNECTIONS}, view cache off (ORDERFLOW_VIEW_CACHE_ENTRIES=0)`, value: round(httpOff.rate), unit: 'req/s',
      baseline: { what: `raw store findOne by _id @${CONNECTIONS}`, value: round(store.findOne.rate), unit: 'op/s' },
      ...(off !== undefined && { ratio: round(off) }),
      latency: { count: httpOff.latency.count, min: httpOff.latency.min, mean: httpOff.latency.mean, p50: httpOff.latency.p50, p90: httpOff.latency.p90, p99: httpOff.latency.p99, max: httpOff.latency.max },
      notes: [`${httpOff.non2xx} non-2xx, ${httpOff.errors} errors; serve burnt ${httpOff.serveCpuSeconds ?? 'n/a'} CPU-s over ${durationSeconds + warmupSeconds} s`],
    });
    figures.push(...storeRateFigures(store));
    notes.push(`relay and project are child processes (they projected ${ORDERS} orders and were stopped before the load); serve runs alone in a child process, autocannon in another: ${durationSeconds} s measured after ${warmupSeconds} s warm-up; the body reads one order (the last placed) by id with the staff token, so the cached run is all hits after the first`);
    notes.push('the raw store rates are measured after the HTTP runs, on a scratch database of the same server with ~1 KB order-like documents (findOne and guarded updateOne at 32 clients; insertMany in chunks of 500)');
    return { id: 'reads', title: 'Point reads: order(id) over HTTP from the view cache vs the store’s raw rates', figures, notes };
  } finally {
    for (const p of roles.reverse()) await p.stop().catch(() => undefined);
    await pool.end();
    await drop();
  }
};
