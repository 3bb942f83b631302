/**
 * `npm run soak [-- --minutes N --rate R --subscribers S --interval-s I --warmup-s W --shape … --view-cache-entries E --out DIR]`:
 * the supervised production shape (`orderflow start --topology`) under a steady placeOrder load with S
 * graphql-ws subscribers, sampled every I seconds (heap after a forced GC, RSS and lag per process,
 * end-to-end lag). Writes `soak.json` and `soak.svg` to DIR (default `<stack dir>/soak`), prints one
 * line per check, and exits 1 when a check failed (see `bench/soak/runSoak.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SHAPE } from '../ops/topology/plan.ts';
import { soakChart } from './soak/chart.ts';
import { runSoak } from './soak/runSoak.ts';
import { soakChecks } from './soak/checks.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '2' },
    subscribers: { type: 'string', default: '1000' },
    'interval-s': { type: 'string', default: '30' },
    'warmup-s': { type: 'string' },
    shape: { type: 'string', default: Object.entries(DEFAULT_SHAPE).map(([k, v]) => `${k}=${v}`).join(',') },
    'heap-tolerance': { type: 'string', default: '10' },
    'view-cache-entries': { type: 'string', default: '2000' },
    out: { type: 'string' },
  },
});

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${name} must be a positive number, got ${String(text)}`);
    process.exit(2);
  }
  return n;
}

const minutes = positive('minutes', values.minutes);
const options = {
  minutes,
  rate: positive('rate', values.rate),
  subscribers: Math.round(positive('subscribers', values.subscribers)),
  intervalS: positive('interval-s', values['interval-s']),
  // Warm-up: a third of a short run, two minutes of a long one.
  warmupS: values['warmup-s'] !== undefined ? Number(values['warmup-s']) : Math.min(120, Math.round((minutes * 60) / 3)),
  shape: values.shape,
  heapTolerancePercent: positive('heap-tolerance', values['heap-tolerance']),
  viewCacheEntries: Math.round(positive('view-cache-entries', values['view-cache-entries'])),
};

const report = await runSoak(options, (line) => console.log(line));
const dir = resolve(values.out ?? join(process.env.ORDERFLOW_STACK_DIR ?? '.stack', 'soak'));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'soak.svg'), soakChart(report.samples));
for (const [ok, line] of soakChecks(report)) console.log(`${ok ? 'PASS' : 'FAIL'} ${line}`);
const logKinds = Object.entries(report.logs);
if (logKinds.length > 0) console.log(`warnings/errors logged (soak.json "logs" has them whole): ${logKinds.map(([k, v]) => `${k.slice(0, 80)} ×${v.count}`).join('; ')}`);
console.log(`load average ${report.loadAverage.start.join(' ')} → ${report.loadAverage.end.join(' ')}; written ${join(dir, 'soak.json')} and soak.svg`);
process.exit(report.passed ? 0 : 1);
