import type { RebuildNumbers } from './lease.ts';

/**
 * Rate and ETA of a replay: the average rate since `startedAt` (stable enough for an ETA, and the
 * number the benchmark reports); `resumedEvents` were done by a killed run before. Pure: the caller
 * passes the clock reading.
 */
export function progressNumbers(eventsDone: number, totalAtStart: number, startedAtMs: number, nowMs: number, resumedEvents = 0): RebuildNumbers {
  const elapsed = Math.max(nowMs - startedAtMs, 1) / 1000;
  // A resumed run's rate counts only what it did itself since it started.
  const rate = (eventsDone - resumedEvents) / elapsed;
  const totalEstimate = Math.max(totalAtStart, eventsDone);
  const left = totalEstimate - eventsDone;
  return { eventsDone, totalEstimate, rate, etaSeconds: left <= 0 ? 0 : rate > 0 ? left / rate : null };
}

/** One line of progress text: `replaying  45.0%  22,500/50,000 events  31,200 ev/s  ETA 1s`. */
export function formatProgress(phase: string, n: RebuildNumbers): string {
  const pct = n.totalEstimate > 0 ? ((100 * n.eventsDone) / n.totalEstimate).toFixed(1) : '100.0';
  const eta = n.etaSeconds === null ? '?' : formatSeconds(n.etaSeconds);
  return `${phase.padEnd(11)} ${pct.padStart(5)}%  ${n.eventsDone.toLocaleString('en-US')}/${n.totalEstimate.toLocaleString('en-US')} events  ${Math.round(n.rate).toLocaleString('en-US')} ev/s  ETA ${eta}`;
}

/** `95` → `1m35s`, `3.2` → `4s`. */
export function formatSeconds(s: number): string {
  const whole = Math.ceil(s);
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A text progress bar of `width` cells. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(done / total, 1) : 1;
  const full = Math.round(ratio * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
