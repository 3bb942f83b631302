/**
 * `npm run bench [-- --quick] [-- --only <scenario>] [-- --events N]`: starts the local stack, prints the machine,
 * service versions and durability settings, runs the scenarios under `bench/scenarios/`, prints a
 * table (figure, same-run baseline, ratio, target, pass/miss) and writes `bench/results/latest.json`.
 */
import './lib/quiet.ts';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StackError, stackUp } from '../stack/stack.ts';
import { cpuDelta, cpuSnapshot } from './lib/cpu.ts';
import { durabilitySettings, machineInfo, serviceVersions, stackAnswers } from './lib/env.ts';
import { renderLatencies, renderTable, targetsOf, writeReport, type BenchReport } from './lib/report.ts';
import type { Scenario, ScenarioResult } from './lib/types.ts';
import { abuseScenario } from './scenarios/abuse.ts';
import { appendsScenario } from './scenarios/appends.ts';
import { bucketCostScenario } from './scenarios/bucketCost.ts';
import { apiScenario } from './scenarios/api.ts';
import { commandsScenario } from './scenarios/commands.ts';
import { confirmationScenario } from './scenarios/confirmation.ts';
import { freshnessScenario } from './scenarios/freshness.ts';
import { graphqlScenario } from './scenarios/graphql.ts';
import { readsScenario } from './scenarios/reads.ts';
import { rebuildScenario } from './scenarios/rebuild.ts';
import { relayScenario } from './scenarios/relay.ts';
import { subscriptionsScenario } from './scenarios/subscriptions.ts';

/** Scenario ids in run order (the issue's numbering). */
const SCENARIOS: [string, Scenario][] = [
  ['commands', commandsScenario],
  ['appends', appendsScenario],
  ['graphql', graphqlScenario],
  ['freshness', freshnessScenario],
  ['relay', relayScenario],
  ['rebuild', rebuildScenario],
  ['subscriptions', subscriptionsScenario],
  ['confirmation', confirmationScenario],
  ['api', apiScenario],
  ['reads', readsScenario],
  ['abuse', abuseScenario],
  ['bucketCost', bucketCostScenario],
];

/** Scenarios that read or write views through the MongoDB-wire server. */
const NEEDS_MONGO = new Set(['graphql', 'freshness', 'rebuild', 'subscriptions', 'confirmation', 'reads', 'abuse', 'bucketCost']);

const RESULTS_DIR = resolve(import.meta.dirname, 'results');
/** Runs of every scenario write `latest.json` (and `full.json` / `quick.json`); `--only` runs write `partial.json` only. */
function resultFiles(quick: boolean, only: string[] | undefined): string[] {
  if (only) return [resolve(RESULTS_DIR, 'partial.json')];
  return [resolve(RESULTS_DIR, 'latest.json'), resolve(RESULTS_DIR, quick ? 'quick.json' : 'full.json')];
}

function parse(): { quick: boolean; only: string[] | undefined; events: number | undefined } {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, events: { type: 'string' } }, allowPositionals: false });
  const events = values.events === undefined ? undefined : Number(values.events);
  if (events !== undefined && !(Number.isInteger(events) && events >= 4000)) throw new Error(`--events must be an integer ≥ 4000, not "${values.events ?? ''}"`);
  const only = values.only?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  const known = new Set(SCENARIOS.map(([id]) => id));
  for (const id of only ?? []) {
    if (!known.has(id) && !/^[1-9]$/.test(id)) throw new Error(`unknown scenario "${id}"; one of ${[...known].join(', ')} (or 1-9)`);
  }
  return { quick: values.quick ?? false, events, only: only?.map((id) => (/^[1-9]$/.test(id) ? (SCENARIOS[Number(id) - 1]?.[0] ?? id) : id)) };
}

const stamp = () => new Date().toISOString().slice(11, 19);
const log = (m: string) => console.log(`[${stamp()}] ${m}`);

async function main(): Promise<void> {
  const { quick, only, events } = parse();
  const started = Date.now();
  const startedAt = new Date().toISOString();
  log(`orderflow bench (${quick ? 'quick' : 'full'}${only ? `, only ${only.join(',')}` : ''}): starting the stack`);
  const probe = await stackAnswers();
  if (!probe.ok) {
    log(`stack not fully up (${JSON.stringify(probe.detail)}): stackUp()`);
    try {
      await stackUp();
    } catch (err) {
      if (err instanceof StackError) throw new Error(err.line());
      throw err;
    }
    const again = await stackAnswers();
    if (!again.ok) throw new Error(`the stack still does not answer after stackUp: ${JSON.stringify(again.detail)}`);
  }
  const machine = machineInfo();
  const versions = await serviceVersions();
  const durability = await durabilitySettings();
  console.log(`machine: ${String(machine.cores)} cores (${String(machine.cpuModel)}), ${String(machine.memoryGiB)} GiB, ${String(machine.platform)}, node ${String(machine.node)}, load ${JSON.stringify(machine.loadAvg)}`);
  console.log(`versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`durability: ${JSON.stringify(durability)}`);

  const results: ScenarioResult[] = [];
  // A scenario that hangs (e.g. a wedged FerretDB never answers) is abandoned after this long
  // (BENCH_SCENARIO_TIMEOUT_S raises it, e.g. for 10,000 sockets opened on a loaded box).
  const timeoutOverride = Number(process.env['BENCH_SCENARIO_TIMEOUT_S']) * 1000;
  const timeoutMs = timeoutOverride > 0 ? timeoutOverride : quick ? 100_000 : 240_000;
  // Scenarios that start the roles as separate processes and ramp through rates get longer by default.
  const longer: Record<string, number> = { freshness: quick ? 240_000 : 480_000, reads: quick ? 180_000 : 300_000, bucketCost: quick ? 240_000 : 360_000, rebuild: quick && events === undefined ? 240_000 : 1_800_000 };
  const timeoutOf = (id: string) => (timeoutOverride > 0 ? timeoutOverride : (longer[id] ?? timeoutMs));
  let mongoDown: string | undefined;
  for (const [id, run] of SCENARIOS) {
    if (only && !only.includes(id)) continue;
    if (mongoDown && NEEDS_MONGO.has(id)) {
      log(`scenario ${id} skipped: ${mongoDown}`);
      results.push({ id, title: id, wallMs: 0, figures: [], notes: [], error: `skipped: ${mongoDown}` });
      continue;
    }
    log(`scenario ${id}…`);
    const t0 = Date.now();
    const before = os.loadavg()[0] ?? 0;
    const cpu0 = cpuSnapshot();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutOf(id));
    });
    try {
      const r = await Promise.race([run({ quick, log, ...(events !== undefined && { events }) }), timedOut]);
      if (r === 'timeout') throw new Error(`timed out after ${timeoutOf(id) / 1000} s`);
      const cpuSeconds = cpuDelta(cpu0, cpuSnapshot());
      results.push({ ...r, wallMs: Date.now() - t0, loadAvg: { before: Number(before.toFixed(2)), after: Number((os.loadavg()[0] ?? 0).toFixed(2)) }, cpuSeconds });
      log(`  CPU seconds over ${((Date.now() - t0) / 1000).toFixed(0)} s wall (2 cores): ${Object.entries(cpuSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    } catch (err) {
      let message = err instanceof Error ? `${err.message}` : String(err);
      const health = await stackAnswers();
      if (!health.detail.mongo) {
        mongoDown = 'the MongoDB-wire server (FerretDB) stopped answering a ping during an earlier scenario';
        message += ` — FerretDB no longer answers a ping (wedged?)`;
      }
      log(`scenario ${id} failed: ${message}`);
      if (err instanceof Error && err.stack) console.error(err.stack);
      results.push({ id, title: id, wallMs: Date.now() - t0, figures: [], notes: [], error: message });
    } finally {
      clearTimeout(timer);
    }
    log(`scenario ${id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    ...(only && { only: only.join(',') }),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    versions,
    durability,
    scenarios: results,
    targets: targetsOf(results),
  };
  const files = resultFiles(quick, only);
  for (const f of files) writeReport(f, report);
  console.log('');
  console.log(renderTable(results));
  console.log('');
  console.log(renderLatencies(results));
  for (const s of results) {
    if (s.notes.length === 0) continue;
    console.log(`\n${s.title}:`);
    for (const n of s.notes) console.log(`  - ${n}`);
  }
  const missed = report.targets.filter((t) => !t.met).length;
  console.log(`\n${report.targets.length - missed}/${report.targets.length} targets met; ${results.filter((r) => r.error).length} scenario(s) failed; wall ${report.wallSeconds} s; JSON: ${files.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
