// Probe: `npx tsx bench/tools/topologyProbe.ts [typename|placeOrder] [role,role,…]` — closed-loop latency over HTTP
// against the roles as separate processes (a subset to find which role costs what), with the box's CPU busy share.
import { startTopology, TOPOLOGY_ROLES, type TopologyRole } from '../lib/topology.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { tokens } from '../../tests/support/app.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const cpuTicks = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number); const idle = (f[3] ?? 0) + (f[4] ?? 0); return { idle, total: f.reduce((a, b) => a + b, 0) }; };

const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';
const only = process.argv[2];
const roles = (process.argv[3]?.split(',') ?? TOPOLOGY_ROLES) as TopologyRole[];
const t = await startTopology('probe', {}, roles);
try {
  for (const [label, fn] of [
    ['typename', (_c: string, _n: number) => t.gql('{ __typename }', {}, tokens.staff)],
    ['placeOrder', (c: string, n: number) => t.gql(PLACE, { input: { ...placeOrderInput(c, n), orderId: randomUUID() } }, tokens.customer(c))],
  ] as const) {
    if (only && only !== label) continue;
    for (const conc of [1, 8]) {
      const lat: number[] = [];
      const c0 = cpuTicks();
      const end = Date.now() + 4000;
      let n = 0;
      await Promise.all(Array.from({ length: conc }, async (_, w) => {
        while (Date.now() < end) {
          const s = performance.now();
          const r = await fn(`probe-${w}`, n++);
          if (r.errors) console.log(JSON.stringify(r.errors).slice(0, 300));
          lat.push(performance.now() - s);
        }
      }));
      lat.sort((a, b) => a - b);
      const c1 = cpuTicks();
      const busy = (1 - (c1.idle - c0.idle) / (c1.total - c0.total)) * 100;
      console.log(`${label} conc ${conc}: ${(lat.length / 4).toFixed(0)}/s p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(1)} p99 ${lat[Math.floor(lat.length * 0.99)]?.toFixed(1)} ms; box busy ${busy.toFixed(0)}%; cpu ${JSON.stringify(t.cpuSeconds())}`);
    }
  }
} finally {
  await t.stop();
}
