import { now, sleep } from './clock.ts';

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** Operations completed inside the measured window. */
  ok: number;
  errors: number;
  /** First error message seen (errors are reported, never swallowed silently). */
  firstError?: string;
  /** Per-operation latencies (ms) of the measured window. */
  latencies: number[];
  /** Length of the measured window (ms). */
  elapsedMs: number;
}

/**
 * Closed loop: `concurrency` workers each run `op(workerIndex, n)` back to back. The first `warmupMs`
 * is not counted; then operations that START within `durationMs` are counted (the window ends when
 * the last of them finishes). Latency is per operation, end to end.
 */
export async function closedLoop(opts: { concurrency: number; durationMs: number; warmupMs: number; op: (worker: number, n: number) => Promise<unknown> }): Promise<ClosedLoopResult> {
  const start = now();
  const measureFrom = start + opts.warmupMs;
  const stopAt = measureFrom + opts.durationMs;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastEnd = measureFrom;
  let counter = 0;
  async function worker(w: number): Promise<void> {
    for (;;) {
      const t0 = now();
      if (t0 >= stopAt) return;
      const n = counter++;
      try {
        await opts.op(w, n);
        const t1 = now();
        if (t0 >= measureFrom) {
          ok++;
          latencies.push(t1 - t0);
          if (t1 > lastEnd) lastEnd = t1;
        }
      } catch (err) {
        if (t0 >= measureFrom) errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { ok, errors, ...(firstError !== undefined && { firstError }), latencies, elapsedMs: Math.max(lastEnd, stopAt) - measureFrom };
}

/** What an open-loop run measured. */
export interface OpenLoopResult {
  /** Operations scheduled by the rate. */
  scheduled: number;
  /** Operations actually started (fewer when the in-flight cap was hit and the run fell behind). */
  started: number;
  ok: number;
  errors: number;
  firstError?: string;
  /** Time from the first start to the last completion (ms). */
  elapsedMs: number;
  /** Longest time an operation started after its scheduled moment (ms): > 0 means the box could not keep up. */
  maxStartDelayMs: number;
}

/**
 * Open loop at a steady `ratePerSecond` for `durationMs`: operation i is due at start + i/rate and
 * is started as soon as it is due, whether or not earlier ones have finished (at most `maxInFlight`
 * at once; beyond that the schedule slips and the slip is reported; whatever is still unstarted
 * `graceMs` after the window is dropped and counted). `op` gets the index.
 */
export async function openLoop(opts: { ratePerSecond: number; durationMs: number; maxInFlight: number; op: (n: number) => Promise<unknown>; graceMs?: number }): Promise<OpenLoopResult> {
  const total = Math.round((opts.ratePerSecond * opts.durationMs) / 1000);
  const interval = 1000 / opts.ratePerSecond;
  const start = now();
  let next = 0;
  let inFlight = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastEnd = start;
  let maxStartDelayMs = 0;
  const running = new Set<Promise<void>>();
  // Operations still not started this long after the window closes are never started (reported).
  const stopStartingAt = start + opts.durationMs + (opts.graceMs ?? 1000);
  while (next < total) {
    const t = now();
    if (t > stopStartingAt) break;
    while (next < total && start + next * interval <= t && inFlight < opts.maxInFlight) {
      const due = start + next * interval;
      maxStartDelayMs = Math.max(maxStartDelayMs, t - due);
      const n = next++;
      inFlight++;
      const p: Promise<void> = opts.op(n).then(
        () => {
          ok++;
        },
        (err: unknown) => {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        },
      ).finally(() => {
        inFlight--;
        lastEnd = Math.max(lastEnd, now());
        running.delete(p);
      });
      running.add(p);
    }
    if (next >= total) break;
    const wait = start + next * interval - now();
    // setTimeout has ~1 ms granularity: sleep when the next op is ≥ 1 ms away, else yield to I/O.
    if (wait >= 1 && inFlight < opts.maxInFlight) await sleep(Math.floor(wait));
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all([...running]);
  return { scheduled: total, started: next, ok, errors, ...(firstError !== undefined && { firstError }), elapsedMs: lastEnd - start, maxStartDelayMs };
}
