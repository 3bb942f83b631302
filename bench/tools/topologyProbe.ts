// Probe: `npx tsx bench/tools/topologyProbe.ts [typename|placeOrder] [role,role,…]` — closed-loop latency over HTTP
// against the roles as separate processes (a subset to find which role costs what), with the box's CPU per component.
import { randomUUID } from 'node:crypto';
import { tokens } from '../../tests/support/app.ts';
import { cpuDelta, cpuSnapshot } from '../lib/cpu.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { closedLoop } from '../lib/load.ts';
import { startTopology, TOPOLOGY_ROLES, type TopologyRole } from '../lib/topology.ts';
import { ratePerSecond, summarize } from '../stats.ts';

const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
const only = process.argv[2];
const roles = (process.argv[3]?.split(',') ?? TOPOLOGY_ROLES) as TopologyRole[];
const t = await startTopology('probe', {}, roles);
const check = (r: { errors?: unknown[] }) => {
  if (r.errors) throw new Error(JSON.stringify(r.errors).slice(0, 300));
};
try {
  for (const [label, op] of [
    ['typename', async () => check(await t.gql('{ __typename }', {}, tokens.staff))],
    ['placeOrder', async (w: number, n: number) => check(await t.gql(PLACE, { input: { ...placeOrderInput(`probe-${w}`, n), orderId: randomUUID() } }, tokens.customer(`probe-${w}`)))],
  ] as const) {
    if (only && only !== label) continue;
    for (const concurrency of [1, 8]) {
      const before = cpuSnapshot();
      const r = await closedLoop({ concurrency, durationMs: 4000, warmupMs: 0, op });
      const cpu = cpuDelta(before, cpuSnapshot());
      const lat = summarize(r.latencies);
      console.log(`${label} conc ${concurrency}: ${ratePerSecond(r.ok, r.elapsedMs).toFixed(0)}/s p50 ${lat?.p50.toFixed(1)} p99 ${lat?.p99.toFixed(1)} ms, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}; box CPU-s ${JSON.stringify(cpu)}; roles CPU-s so far ${JSON.stringify(t.cpuSeconds())}`);
    }
  }
} finally {
  await t.stop();
}
