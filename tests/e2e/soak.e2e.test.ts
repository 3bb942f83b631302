import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SoakReport } from '../../bench/soak/types.ts';
import { pidAlive } from '../../ops/chaos/topologyProcess.ts';
import { projectRoot } from '../../stack/config.ts';

const MINUTES = 3;
/** A sample every 15 s: 8 intervals after the 60 s warm-up, so each third of the lag verdict is a median of 2, not one interval. */
const INTERVAL_S = 15;
/** The soak's own bound on start-up is 600 s; on a quiet box it is ready in about a minute. */
const RUN_BOUND_MS = 18 * 60_000;

/**
 * `npm run soak -- --minutes 3` as a user runs it: the supervised topology (2 serve behind the proxy,
 * 2 relay, 3 project, 2 saga, 1 notify), 1,000 subscribers, a steady placeOrder load, a sample every
 * 15 s. Asserts on the JSON it writes, not on its own verdict alone.
 */
describe('npm run soak -- --minutes 3', () => {
  const out = mkdtempSync(join(tmpdir(), 'soak-e2e-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('accepts orders, delivers them, keeps every heap after GC and the lag flat, and leaves nothing running', async () => {
    const child = spawn('npm', ['run', 'soak', '--', '--minutes', String(MINUTES), '--interval-s', String(INTERVAL_S), '--out', out], { cwd: projectRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_BOUND_MS - 60_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    const why = `soak output (tail):\n${output.slice(-6_000)}`;

    const report = JSON.parse(readFileSync(join(out, 'soak.json'), 'utf8')) as SoakReport;
    expect(report.error, why).toBeUndefined();
    expect(report.minutes).toBe(MINUTES);
    expect(report.subscribersOpen, why).toBe(1000);
    // Orders: accepted, and none failed except by the per-principal rate limit.
    expect(report.load.accepted, why).toBeGreaterThan(0);
    expect(Object.keys(report.load.failedByCode).filter((c) => c !== 'RATE_LIMITED'), why).toEqual([]);
    // Deliveries: some, and every accepted order reached every subscriber of its customer.
    expect(report.deliveries, why).toBeGreaterThan(0);
    expect(report.undelivered, why).toBe(0);
    // Memory: every process (10 roles and the supervisor) sampled, heap after GC at the end within the tolerance of after warm-up.
    expect(report.processes.map((p) => p.name).sort(), why).toEqual(
      ['notify-1', 'project-1', 'project-2', 'project-3', 'relay-1', 'relay-2', 'saga-1', 'saga-2', 'serve-1', 'serve-2', 'supervisor'],
    );
    for (const p of report.processes) {
      expect(p.growthPercent, `${p.name}: ${JSON.stringify(p)}\n${why}`).not.toBeNull();
      expect(p.growthPercent ?? Infinity, `${p.name}: ${JSON.stringify(p)}\n${why}`).toBeLessThanOrEqual(report.heapTolerancePercent);
      expect(p.pids, `${p.name} was restarted\n${why}`).toHaveLength(1);
    }
    // Lag: measured after warm-up over enough intervals, and not growing.
    expect(report.lag.intervals, why).toBeGreaterThanOrEqual(6);
    expect(report.lag.lastThirdP50Ms, why).not.toBeNull();
    expect(report.lag.growing, `${JSON.stringify(report.lag)}\n${why}`).toBe(false);
    // Nothing left: the soak's own check, and ours over every pid it sampled.
    expect(report.processesLeft, why).toEqual([]);
    expect(report.topologyExitCode, why).toBe(0);
    const sampled = new Set(report.samples.flatMap((s) => Object.values(s.processes).flatMap((p) => (p.pid === null ? [] : [p.pid]))));
    expect(sampled.size, why).toBeGreaterThanOrEqual(11);
    expect([...sampled].filter(pidAlive), why).toEqual([]);
    expect(report.passed, why).toBe(true);
    expect(code, why).toBe(0);
  }, RUN_BOUND_MS);
});
