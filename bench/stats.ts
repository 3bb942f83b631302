/**
 * Pure statistics helpers for the benchmarks: percentiles, latency summaries, rates and ratios.
 * No I/O and no clock, so they are unit-tested in isolation (`stats.unit.test.ts`).
 */

/** A latency (or any sample) distribution summary; every value in the samples' unit (ms for latencies). */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of samples that are ALREADY sorted ascending, by the nearest-rank
 * method: the smallest sample such that at least q of all samples are ≤ it. Nearest rank never
 * invents a value between two samples, so a p99 is a latency some request actually had.
 * @throws RangeError on an empty array or q outside [0, 1].
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** The q-quantile of unsorted samples (copies, never reorders the caller's array). @throws RangeError as {@link quantileSorted}. */
export function quantile(samples: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(samples), q);
}

/** A sorted ascending copy (numeric order, not the default string order of `Array#sort`). */
export function sortedCopy(samples: readonly number[]): number[] {
  return Array.from(Float64Array.from(samples).sort());
}

/** Summary of samples; `undefined` when there are none (a scenario then reports "not measured"). */
export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = sortedCopy(samples);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
  };
}

/** Operations per second; 0 when no time elapsed (never Infinity or NaN in a report). */
export function ratePerSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** figure / baseline, or `undefined` when the baseline is missing or zero. */
export function ratio(figure: number | undefined, baseline: number | undefined): number | undefined {
  if (figure === undefined || baseline === undefined || baseline === 0 || !Number.isFinite(figure) || !Number.isFinite(baseline)) return undefined;
  return figure / baseline;
}

/** Rounds for a report: 3 significant digits below 100, whole numbers above (keeps JSON readable). */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}

/** A summary with every field rounded by {@link round}. */
export function roundSummary(s: Summary): Summary {
  return { count: s.count, min: round(s.min), mean: round(s.mean), p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), max: round(s.max) };
}

/**
 * Pairs two timestamp maps by key (e.g. "acknowledged at" and "seen at" per order id) into latencies
 * `later - earlier`, and counts keys present only in `earlier` (never seen: reported, not dropped).
 */
export function pairLatencies(earlier: ReadonlyMap<string, number>, later: ReadonlyMap<string, number>): { latencies: number[]; missing: number } {
  const latencies: number[] = [];
  let missing = 0;
  for (const [key, t0] of earlier) {
    const t1 = later.get(key);
    if (t1 === undefined) missing++;
    else latencies.push(t1 - t0);
  }
  return { latencies, missing };
}
