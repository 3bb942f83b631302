import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckResult } from './check.ts';
import type { FaultResult } from './faults.ts';

/** Resume bound of the issue: after a SIGKILL of any one role, its work resumes within this. */
export const RESUME_BOUND_MS = 15_000;

/**
 * Resume check: after every SIGKILL or SIGTERM of a role process, every probe order was projected,
 * had a saga step and was mailed within {@link RESUME_BOUND_MS}; SIGTERMed processes exited 0
 * (drained); the supervisor restarted each one; every engine fault was followed by resumed work.
 */
export function resumeCheck(faults: readonly FaultResult[]): CheckResult {
  const slow: string[] = [];
  for (const f of faults) {
    const r = f.resume;
    const times = [r.allProjectedMs, r.allSagaStepMs, r.allMailMs];
    if (f.error) slow.push(`${f.fault}: ${f.error}`);
    else if (r.probes === 0) slow.push(`${f.fault} (${f.target}): no probe order was acknowledged`);
    else if (times.some((t) => t === null)) slow.push(`${f.fault} (${f.target}): did not resume (${JSON.stringify(r)})`);
    else if (f.downMs === undefined && times.some((t) => (t ?? 0) > RESUME_BOUND_MS)) slow.push(`${f.fault} (${f.target}): ${times.join('/')} ms > ${RESUME_BOUND_MS}`);
    if (f.exitCode !== undefined && f.exitCode !== 0) slow.push(`${f.fault} (${f.target}): exited ${String(f.exitCode)}, not 0`);
    if (f.restarted === false) slow.push(`${f.fault} (${f.target}): not restarted`);
  }
  const worst = Math.max(0, ...faults.filter((f) => f.downMs === undefined).flatMap((f) => [f.resume.allProjectedMs ?? 0, f.resume.allSagaStepMs ?? 0, f.resume.allMailMs ?? 0]));
  return {
    name: `work resumes within ${RESUME_BOUND_MS / 1000} s after each role fault`,
    passed: slow.length === 0 && faults.length > 0,
    summary: `${faults.length} faults, slowest role resume ${worst} ms${slow.length ? `; ${slow.length} failed` : ''}`,
    details: { failed: slow },
  };
}

/** One line per fault: the times until the last probe was projected / had a saga step / was mailed. */
export function faultLine(f: FaultResult): string {
  const r = f.resume;
  const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)}s`);
  const extra = [`${r.probes} probes acked at ${s(r.probesAckedMs)}`, f.downMs !== undefined ? `down ${s(f.downMs)}` : '', f.exitCode !== undefined ? `exit ${String(f.exitCode)}` : '', f.error ? `ERROR ${f.error}` : ''].filter(Boolean).join(', ');
  return `  ${f.fault.padEnd(24)} ${f.target.padEnd(10)} projected ${s(r.firstProjectedMs)}/${s(r.allProjectedMs)}  saga ${s(r.firstSagaStepMs)}/${s(r.allSagaStepMs)}  mail ${s(r.firstMailMs)}/${s(r.allMailMs)}${extra ? `  (${extra})` : ''}`;
}

/** Prints one line per check and writes the whole result as JSON. */
export function writeReport(file: string, result: { passed: boolean; checks: CheckResult[]; faults: FaultResult[]; [k: string]: unknown }, print: (line: string) => void): void {
  print('faults (first/last probe, from the kill or the engine\'s return):');
  for (const f of result.faults) print(faultLine(f));
  for (const c of result.checks) {
    print(`${c.passed ? 'PASS' : 'FAIL'}  ${c.name}: ${c.summary}`);
    for (const line of c.lines ?? []) print(`      ${line}`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  print(`${result.passed ? 'chaos: every check passed' : 'chaos: FAILED'} (${file})`);
}
