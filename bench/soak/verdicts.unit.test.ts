import { describe, expect, it } from 'vitest';
import type { ProcessSample } from './sampleProcess.ts';
import type { SoakSample } from './types.ts';
import { lagTrend, processVerdicts } from './verdicts.ts';

const proc = (heap: number | null, pid = 1, gc = true): ProcessSample & { pid: number | null } => ({
  heapAfterGcMiB: heap, rssMiB: heap === null ? null : heap * 3, gc, consumerLag: 0, outboxBacklog: 0, appendToViewSum: 0, appendToViewCount: 0, hubLoadSum: 0, hubLoadCount: 0, eventLoopP99Ms: 0, viewCacheEntries: 0, viewCacheMiB: 0, pid,
});

function sample(atS: number, heaps: Record<string, ProcessSample & { pid: number | null }>, p50: number | null = 100, accepted = atS): SoakSample {
  const lagMs = p50 === null ? null : { count: 10, min: p50, mean: p50, p50, p90: p50, p99: p50 * 2, max: p50 * 2 };
  return { atS, accepted, failed: 0, deliveries: atS * 10, lagMs, appendToViewMeanMs: null, hubLoadMeanMs: null, fleetLoopDelayMs: { p99: 0, max: 0 }, consumerLag: 0, outboxBacklog: 0, processes: heaps };
}

describe('processVerdicts', () => {
  it('compares the last heap with the first one at or after the warm-up, per process', () => {
    const samples = [0, 30, 60, 90].map((t) => sample(t, { a: proc(t === 0 ? 80 : 50 + t / 30), b: proc(50 + t / 3) }));
    const [a, b] = processVerdicts(samples, 30, 10);
    expect(a).toMatchObject({ name: 'a', warmupHeapMiB: 51, endHeapMiB: 53, growthPercent: 3.9, ok: true });
    expect(b).toMatchObject({ name: 'b', warmupHeapMiB: 60, endHeapMiB: 80, growthPercent: 33.3, ok: false });
  });

  it('fails a process that was restarted, ran without a forced GC, or never answered after the warm-up', () => {
    const samples = [0, 30, 60].map((t) => sample(t, { restarted: proc(50, t < 60 ? 1 : 2), lazy: proc(50, 1, false), silent: proc(t === 0 ? 50 : null) }));
    const verdicts = Object.fromEntries(processVerdicts(samples, 30, 10).map((v) => [v.name, v]));
    expect(verdicts['restarted']).toMatchObject({ pids: [1, 2], ok: false });
    expect(verdicts['lazy']).toMatchObject({ growthPercent: 0, ok: false });
    expect(verdicts['silent']).toMatchObject({ warmupHeapMiB: null, missingSamples: 2, ok: false });
  });
});

describe('lagTrend', () => {
  it('is not growing when the last third stays within the allowance of the first', () => {
    const samples = [0, 30, 60, 90, 120, 150, 180, 210].map((t) => sample(t, {}, 100 + t / 3));
    expect(lagTrend(samples, 30)).toMatchObject({ firstThirdP50Ms: 120, lastThirdP50Ms: 160, growing: false, allowanceMs: 250, silentIntervals: 0, intervals: 6 });
  });

  it('judges only intervals that began after the warm-up: the sample ending it measured the warm-up itself', () => {
    // A slow warm-up interval (ending at 30 s) would make a growing lag look flat if it counted as the first third.
    const samples = [0, 30, 60, 90, 120].map((t) => sample(t, {}, t === 30 ? 5000 : 100 + t * 10));
    expect(lagTrend(samples, 30)).toMatchObject({ firstThirdP50Ms: 700, lastThirdP50Ms: 1300, growing: true, intervals: 3 });
  });

  it('reports the subscriber fleet\'s worst event-loop delay over the judged intervals', () => {
    const samples = [0, 30, 60, 90].map((t) => ({ ...sample(t, {}), fleetLoopDelayMs: { p99: t / 10, max: t === 30 ? 999 : t / 5 } }));
    expect(lagTrend(samples, 30)).toMatchObject({ fleetLoopDelayMaxMs: 18, growing: false });
  });

  it('grows when the last third exceeds the first by more than the allowance', () => {
    const samples = [0, 30, 60, 90, 120, 150, 180].map((t) => sample(t, {}, 1000 + t * 20));
    const trend = lagTrend(samples, 30);
    expect(trend.growing).toBe(true);
    expect(trend.slopeMsPerMin).toBeCloseTo(1200, 0);
  });

  it('grows when an interval after the warm-up accepted orders and delivered nothing', () => {
    const samples = [0, 30, 60, 90, 120].map((t) => sample(t, {}, t === 90 ? null : 100));
    expect(lagTrend(samples, 30)).toMatchObject({ silentIntervals: 1, growing: true });
  });
});
