import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Figure, ScenarioResult } from './types.ts';

/** The machine-readable report (`bench/results/latest.json`). */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  only?: string;
  wallSeconds: number;
  machine: Record<string, unknown>;
  versions: Record<string, string>;
  durability: Record<string, unknown>;
  scenarios: ScenarioResult[];
  /** Every figure with a target, flattened: what was met and what was missed (with its reason). */
  targets: { scenario: string; figure: string; value: number; unit: string; target: string; met: boolean; reason?: string }[];
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '—';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(v);
}

function cell(f: Figure): [string, string, string, string, string] {
  const value = `${fmt(f.value)} ${f.unit}`;
  const baseline = f.baseline ? `${fmt(f.baseline.value)} ${f.baseline.unit} (${f.baseline.what})` : '—';
  const r = f.ratio === undefined ? '—' : `${fmt(f.ratio)}×`;
  const target = f.target?.text ?? '—';
  const verdict = f.target ? (f.target.met ? 'PASS' : `MISS${f.target.reason ? `: ${f.target.reason}` : ''}`) : '';
  return [value, baseline, r, target, verdict];
}

/** The human table: one row per figure. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [['scenario', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result']];
  for (const s of results) {
    if (s.error && s.figures.length === 0) rows.push([s.id, '(did not run)', '—', '—', '—', '—', `ERROR: ${s.error}`]);
    for (const f of s.figures) rows.push([s.id, f.name, ...cell(f)]);
    if (s.error && s.figures.length > 0) rows.push([s.id, '(incomplete)', '', '', '', '', `ERROR: ${s.error}`]);
  }
  const widths = rows[0]?.map((_, c) => Math.min(c === 6 ? 200 : 48, Math.max(...rows.map((r) => (r[c] ?? '').length)))) ?? [];
  const line = (r: string[]) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c] ?? 0))).join(' | ');
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(rows[0] ?? []), sep, ...rows.slice(1).map(line)].join('\n');
}

/** Latency details under the table (p50/p99/max of each figure that has a distribution). */
export function renderLatencies(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const s of results) {
    for (const f of s.figures) {
      if (!f.latency) continue;
      const l = f.latency;
      const b = f.baselineLatency;
      out.push(`${s.id} / ${f.name}: n=${l.count} p50=${l.p50} p99=${l.p99} max=${l.max} ms${b ? `   baseline: n=${b.count} p50=${b.p50} p99=${b.p99} max=${b.max} ms` : ''}`);
    }
  }
  return out.join('\n');
}

/** Flattens the targets of every figure. */
export function targetsOf(results: readonly ScenarioResult[]): BenchReport['targets'] {
  return results.flatMap((s) =>
    s.figures.flatMap((f) => (f.target ? [{ scenario: s.id, figure: f.name, value: f.value, unit: f.unit, target: f.target.text, met: f.target.met, ...(f.target.reason ? { reason: f.target.reason } : {}) }] : [])),
  );
}

/** Writes the JSON report, creating the folder. */
export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
