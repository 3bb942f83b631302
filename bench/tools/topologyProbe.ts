// Probe: `npx tsx bench/tools/topologyProbe.ts [typename|placeOrder] [role,role,…]` — closed-loop latency over HTTP
// against the roles as separate processes (a subset to find which role costs what), with the box's CPU per component
// and each role's CPU µs per operation. A window ends when the pipeline has drained (the relay and the projectors
// stopped moving), so a role that lags is charged for all of its work; the idle rate measured first is subtracted.
// PROBE_CONCURRENCY (default "1,8") and PROBE_SECONDS (default 4) shape the windows; with BENCH_PROFILE=<dir> each
// role's CPU profile of each window is written there (`<dir>/probe-<role>-<op>-c<n>.cpuprofile`).
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { tokens } from '../../tests/support/app.ts';
import { profileChildWindow } from '../lib/childProfiler.ts';
import { sleep } from '../lib/clock.ts';
import { cpuDelta, cpuSnapshot, type CpuSplit } from '../lib/cpu.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { closedLoop, type ClosedLoopResult } from '../lib/load.ts';
import { startTopology, TOPOLOGY_ROLES, type Topology, type TopologyRole } from '../lib/topology.ts';
import { ratePerSecond, summarize } from '../stats.ts';

const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
const only = process.argv[2];
const roles = (process.argv[3]?.split(',') ?? TOPOLOGY_ROLES) as TopologyRole[];
const concurrencies = (process.env.PROBE_CONCURRENCY ?? '1,8').split(',').map(Number);
const durationMs = Number(process.env.PROBE_SECONDS ?? '4') * 1000;
const t = await startTopology('probe', {}, roles);
const check = (r: { errors?: unknown[] }) => {
  if (r.errors) throw new Error(JSON.stringify(r.errors).slice(0, 300));
};

/** Sum of every sample of a Prometheus counter on a role's /metrics (0 when absent or unreachable). */
async function counterSum(topology: Topology, role: TopologyRole, name: string): Promise<number> {
  try {
    const text = await (await fetch(topology.metricsUrl(role))).text();
    return text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`)).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  } catch {
    return 0;
  }
}

/** Waits (≤ 30 s) until the relay has published and the projectors have applied everything: both counters still for 1 s. */
async function drained(topology: Topology): Promise<void> {
  const progress = async () => `${roles.includes('relay') ? await counterSum(topology, 'relay', 'orderflow_relay_published_total') : 0}/${roles.includes('project') ? await counterSum(topology, 'project', 'orderflow_projector_events_applied_total') : 0}`;
  let last = await progress();
  let stillSince = Date.now();
  for (const end = Date.now() + 30_000; Date.now() < end && Date.now() - stillSince < 1000;) {
    await sleep(200);
    const now = await progress();
    if (now !== last) [last, stillSince] = [now, Date.now()];
  }
}

/** Runs `fn` under a CPU profile of every role (nested windows; a no-op without BENCH_PROFILE). */
function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return roles.reduce<() => Promise<T>>((inner, role) => {
    const port = t.inspectPort(role);
    return port === undefined ? inner : () => profileChildWindow(port, `probe-${role}-${name}`, inner);
  }, fn)();
}

const roleCpu = () => t.cpuSeconds();

/** The projector's store work so far: view-store commands of its adapter, checkpoint writes (one per batch and projection), relay batches. */
async function storeWork(): Promise<Record<'viewCommands' | 'checkpointWrites' | 'relayEvents', number>> {
  const project = roles.includes('project');
  return {
    viewCommands: project ? await counterSum(t, 'project', 'orderflow_projector_store_commands_total') : 0,
    checkpointWrites: project ? await counterSum(t, 'project', 'orderflow_projector_checkpoint_writes_total') : 0,
    relayEvents: roles.includes('relay') ? await counterSum(t, 'relay', 'orderflow_relay_published_total') : 0,
  };
}
const us = (cpuS: number, n: number) => (n > 0 ? Math.round((cpuS * 1e6) / n) : 0);

try {
  // Idle cost first: the fetch loops, heartbeats and pollers every role pays with no traffic at all.
  const idleS = 3;
  const idle0 = roleCpu();
  const box0 = cpuSnapshot();
  await sleep(idleS * 1000);
  const idle1 = roleCpu();
  const boxIdle = cpuDelta(box0, cpuSnapshot());
  const idleRate = Object.fromEntries(roles.map((r) => [r, ((idle1[r] ?? 0) - (idle0[r] ?? 0)) / idleS])) as Record<TopologyRole, number>;
  console.log(`idle CPU-s per s: ${JSON.stringify(Object.fromEntries(roles.map((r) => [r, Number(idleRate[r].toFixed(3))])))}; box over ${idleS} s ${JSON.stringify(boxIdle)}; load ${loadavg()[0]?.toFixed(1)}`);
  for (const [label, op] of [
    ['typename', async () => check(await t.gql('{ __typename }', {}, tokens.staff))],
    ['placeOrder', async (w: number, n: number) => check(await t.gql(PLACE, { input: { ...placeOrderInput(`probe-${w}`, n), orderId: randomUUID() } }, tokens.customer(`probe-${w}`)))],
  ] as const) {
    if (only && only !== label) continue;
    for (const concurrency of concurrencies) {
      const work0 = await storeWork();
      const before = cpuSnapshot();
      const roles0 = roleCpu();
      const began = Date.now();
      const r: ClosedLoopResult = await profiled(`${label}-c${concurrency}`, async () => {
        const run = await closedLoop({ concurrency, durationMs, warmupMs: 0, op });
        await drained(t);
        return run;
      });
      const windowS = (Date.now() - began) / 1000;
      const roles1 = roleCpu();
      const cpu: CpuSplit = cpuDelta(before, cpuSnapshot());
      const work1 = await storeWork();
      const perOp = (k: keyof typeof work0) => Number(((work1[k] - work0[k]) / Math.max(1, r.ok)).toFixed(2));
      const lat = summarize(r.latencies);
      const perRole = Object.fromEntries(roles.map((role) => {
        const spent = (roles1[role] ?? 0) - (roles0[role] ?? 0);
        return [role, { cpuS: Number(spent.toFixed(2)), usPerOp: us(spent, r.ok), usPerOpLessIdle: us(spent - idleRate[role] * windowS, r.ok) }];
      }));
      const stack = Object.fromEntries((['postgres', 'kafka', 'ferretdb'] as const).map((k) => [k, us(cpu[k], r.ok)]));
      console.log(`${label} conc ${concurrency}: ${ratePerSecond(r.ok, r.elapsedMs).toFixed(0)}/s (${r.ok} ok) p50 ${lat?.p50.toFixed(1)} p99 ${lat?.p99.toFixed(1)} ms, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}; window incl. drain ${windowS.toFixed(1)} s; box CPU-s ${JSON.stringify(cpu)}; load ${loadavg()[0]?.toFixed(1)}`);
      console.log(`  CPU µs per op by role ${JSON.stringify(perRole)}; stack µs per op ${JSON.stringify(stack)}`);
      console.log(`  per op: view-store commands ${perOp('viewCommands')}, projector checkpoint writes ${perOp('checkpointWrites')}, events relayed ${perOp('relayEvents')}`);
    }
  }
} finally {
  await t.stop();
}
