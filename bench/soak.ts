/**
 * `npm run soak [-- --minutes N --rate R --subscribers S --interval-s I]`: the roles as separate
 * processes (bench/lib/topology.ts) at a steady placeOrder rate with S graphql-ws subscribers on
 * `customerOrdersChanged` (selecting `detail`, the DataLoader-backed field). Every I seconds it
 * samples each process's heap used after a forced GC and its RSS (`/debug/heap`, node run with
 * --expose-gc and ORDERFLOW_DEBUG_HEAP=1) and the consumers' lag (`/metrics`), then writes the
 * series as JSON and an SVG chart under `.stack/soak/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tokens } from '../tests/support/app.ts';
import { metricSum } from '../tests/support/roleProcess.ts';
import { placeOrderInput } from './lib/fixtures.ts';
import { startTopology, TOPOLOGY_ROLES, type TopologyRole } from './lib/topology.ts';
import { startFleet } from './lib/wsFleet.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '5' },
    subscribers: { type: 'string', default: '1000' },
    'interval-s': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const subscribers = Number(values.subscribers);
const intervalMs = Number(values['interval-s']) * 1000;
const CUSTOMERS = 50;
const SUB = `subscription($c: String!) { customerOrdersChanged(customerId: $c) { token order { id status detail { status } } } }`;
const PLACE = `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }`;

interface Sample {
  atS: number;
  placed: number;
  failed: number;
  deliveries: number;
  processes: Record<TopologyRole, { heapUsedMiB: number; rssMiB: number; gc: boolean } | null>;
  lag: Record<TopologyRole, number>;
}

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

/** A small line chart of heap-after-GC per process over time. */
function chart(samples: Sample[]): string {
  const W = 720, H = 360, L = 50, B = 30;
  const maxT = Math.max(1, ...samples.map((s) => s.atS));
  const maxY = Math.max(1, ...samples.flatMap((s) => TOPOLOGY_ROLES.map((r) => s.processes[r]?.heapUsedMiB ?? 0))) * 1.1;
  const x = (t: number) => L + ((W - L - 10) * t) / maxT;
  const y = (v: number) => H - B - ((H - B - 10) * v) / maxY;
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
  const lines = TOPOLOGY_ROLES.map((r, i) => {
    const pts = samples.flatMap((s) => (s.processes[r] ? [`${x(s.atS).toFixed(1)},${y(s.processes[r].heapUsedMiB).toFixed(1)}`] : [])).join(' ');
    return `<polyline fill="none" stroke="${colours[i]}" stroke-width="2" points="${pts}"/><text x="${W - 90}" y="${20 + i * 16}" fill="${colours[i]}" font-size="12">${r}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`
    + `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#000"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#000"/>`
    + `<text x="${L}" y="${H - 8}" font-size="12">0 s</text><text x="${W - 60}" y="${H - 8}" font-size="12">${Math.round(maxT)} s</text>`
    + `<text x="4" y="16" font-size="12">${maxY.toFixed(0)} MiB</text><text x="${L + 10}" y="24" font-size="13">heap used after GC, per process</text>${lines}</svg>`;
}

async function main(): Promise<void> {
  const topo = await startTopology('soak', {
    NODE_OPTIONS: '--expose-gc', ORDERFLOW_DEBUG_HEAP: '1',
    ORDERFLOW_WS_MAX_SOCKETS_PER_IP: String(subscribers + 100), ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT: String(subscribers + 100),
  });
  const fleet = await startFleet();
  const samples: Sample[] = [];
  let placed = 0;
  let failed = 0;
  let deliveries = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failed++;
    if (firstFailure === undefined) console.log(`  first failed placeOrder: ${(firstFailure = why)}`);
  };
  try {
    const perCustomer = Math.ceil(subscribers / CUSTOMERS);
    for (let c = 0; c < CUSTOMERS && c * perCustomer < subscribers; c++) {
      const count = Math.min(perCustomer, subscribers - c * perCustomer);
      const opened = await fleet.open({ mode: 'graphql', url: topo.wsUrl, token: tokens.staff, count, batch: 100, query: SUB, variables: { c: `soak-${c}` } });
      if (opened.failed > 0) console.log(`  ${opened.failed} sockets failed: ${opened.firstError ?? '?'}`);
    }
    console.log(`soak: ${subscribers} subscribers, ${rate} placeOrder/s, ${minutes} min, a sample every ${intervalMs / 1000} s`);
    const began = Date.now();
    const end = began + minutes * 60_000;
    let n = 0;
    const load = setInterval(() => {
      const i = n++;
      topo.gql<{ placeOrder?: { id: string } }>(PLACE, { i: placeOrderInput(`soak-${i % CUSTOMERS}`, i) }, tokens.staff)
        .then((r) => (r.data?.placeOrder ? placed++ : fail(JSON.stringify(r.errors ?? r).slice(0, 300))), (e: unknown) => fail(String(e)));
    }, 1000 / rate);
    const sample = async () => {
      deliveries += (await fleet.collect()).times.length;
      const processes = {} as Sample['processes'];
      const lag = {} as Sample['lag'];
      for (const role of TOPOLOGY_ROLES) {
        const base = topo.metricsUrl(role).replace(/\/metrics$/, '');
        const heap = await fetch(`${base}/debug/heap`).then(async (r) => (r.ok ? ((await r.json()) as { heapUsedBytes: number; rssBytes: number; gc: boolean }) : null), () => null);
        processes[role] = heap ? { heapUsedMiB: mib(heap.heapUsedBytes), rssMiB: mib(heap.rssBytes), gc: heap.gc } : null;
        lag[role] = metricSum(await fetch(`${base}/metrics`).then((r) => r.text(), () => ''), 'orderflow_consumer_lag');
      }
      const s: Sample = { atS: Math.round((Date.now() - began) / 1000), placed, failed, deliveries, processes, lag };
      samples.push(s);
      console.log(`  t=${s.atS}s placed=${placed} failed=${failed} deliveries=${deliveries} heap MiB ${TOPOLOGY_ROLES.map((r) => `${r}=${processes[r]?.heapUsedMiB ?? '?'}`).join(' ')} lag ${TOPOLOGY_ROLES.map((r) => `${r}=${lag[r]}`).join(' ')}`);
    };
    await sample();
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, end - Date.now()))));
      await sample();
    }
    clearInterval(load);
  } finally {
    await fleet.close().catch(() => undefined);
    await topo.stop();
  }
  const first = samples[1] ?? samples[0];
  const last = samples.at(-1);
  const growth = Object.fromEntries(TOPOLOGY_ROLES.map((r) => {
    const a = first?.processes[r]?.heapUsedMiB;
    const b = last?.processes[r]?.heapUsedMiB;
    return [r, a && b ? Math.round(((b - a) / a) * 1000) / 10 : null];
  }));
  const dir = resolve(process.env.ORDERFLOW_STACK_DIR ?? '.stack', 'soak');
  mkdirSync(dir, { recursive: true });
  const summary = { minutes, rate, subscribers, intervalS: intervalMs / 1000, heapGrowthPercentAfterWarmup: growth, samples };
  writeFileSync(join(dir, 'soak.json'), JSON.stringify(summary, null, 2));
  writeFileSync(join(dir, 'soak.svg'), chart(samples));
  console.log(`heap after GC, last vs first sample after warm-up (%): ${JSON.stringify(growth)}\nwritten ${join(dir, 'soak.json')} and soak.svg`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
