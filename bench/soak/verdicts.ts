import { quantile } from '../stats.ts';
import type { LagTrend, ProcessVerdict, SoakSample } from './types.ts';

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Each process's heap after GC at the end against the first sample at or after `warmupS`. A process
 * passes when it grew by at most `tolerancePercent`, both figures come from a forced GC, and it kept
 * one pid (a restart would hide a leak by starting over). Pure.
 */
export function processVerdicts(samples: readonly SoakSample[], warmupS: number, tolerancePercent: number): ProcessVerdict[] {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.processes)))];
  return names.map((name) => {
    const own = samples.flatMap((s) => (s.processes[name] ? [{ atS: s.atS, p: s.processes[name] }] : []));
    const answered = own.filter((o) => o.p.heapAfterGcMiB !== null);
    const warm = answered.find((o) => o.atS >= warmupS);
    const end = answered.at(-1);
    const warmupHeapMiB = warm?.p.heapAfterGcMiB ?? null;
    const endHeapMiB = end?.p.heapAfterGcMiB ?? null;
    const growthPercent = warmupHeapMiB !== null && endHeapMiB !== null && warm !== end ? round1(((endHeapMiB - warmupHeapMiB) / warmupHeapMiB) * 100) : null;
    const pids = [...new Set(own.flatMap((o) => (o.p.pid === null ? [] : [o.p.pid])))];
    const gcForced = warm?.p.gc === true && end?.p.gc === true;
    return {
      name, warmupHeapMiB, endHeapMiB, growthPercent,
      warmupRssMiB: warm?.p.rssMiB ?? null, endRssMiB: end?.p.rssMiB ?? null,
      pids, missingSamples: own.length - answered.length + (samples.length - own.length),
      ok: growthPercent !== null && growthPercent <= tolerancePercent && gcForced && pids.length === 1,
    };
  });
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
function slope(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

/**
 * Whether the end-to-end lag grows: the median of the per-interval p50s over the last third of the
 * intervals that began at or after `warmupS` against the first third (a sample taken at the warm-up's
 * end measured the interval before it, so it does not count). It grows when the last third exceeds
 * the first by more than max(`minAllowanceMs`, half the first third's), or when such an interval
 * accepted orders but delivered none (a stalled pipeline has no lag figure, only silence). The slope
 * and the subscriber fleet's own worst event-loop delay over those intervals (how late the client
 * could have stamped an arrival) are reported beside it. Pure.
 */
export function lagTrend(samples: readonly SoakSample[], warmupS: number, minAllowanceMs = 250): LagTrend {
  const after = samples
    .map((s, i) => ({ s, began: samples[i - 1]?.atS, accepted: s.accepted - (samples[i - 1]?.accepted ?? 0) }))
    .filter(({ began }) => began !== undefined && began >= warmupS);
  const silentIntervals = after.filter(({ s, accepted }) => accepted > 0 && s.lagMs === null).length;
  const points = after.flatMap(({ s }) => (s.lagMs ? [{ x: s.atS / 60, y: s.lagMs.p50 }] : []));
  const third = Math.max(1, Math.floor(points.length / 3));
  const median = (ps: readonly { y: number }[]) => (ps.length > 0 ? round1(quantile(ps.map((p) => p.y), 0.5)) : null);
  const firstThirdP50Ms = median(points.slice(0, third));
  const lastThirdP50Ms = median(points.slice(-third));
  const allowanceMs = round1(Math.max(minAllowanceMs, (firstThirdP50Ms ?? 0) / 2));
  const k = slope(points);
  const rising = firstThirdP50Ms === null || lastThirdP50Ms === null || lastThirdP50Ms - firstThirdP50Ms > allowanceMs;
  const fleetLoopDelayMaxMs = after.length > 0 ? Math.max(...after.map(({ s }) => s.fleetLoopDelayMs.max)) : null;
  return { firstThirdP50Ms, lastThirdP50Ms, slopeMsPerMin: k === null ? null : round1(k), silentIntervals, growing: rising || silentIntervals > 0, allowanceMs, intervals: after.length, fleetLoopDelayMaxMs };
}
