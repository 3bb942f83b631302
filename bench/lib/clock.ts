import { performance } from 'node:perf_hooks';

/**
 * Epoch milliseconds with sub-millisecond resolution. Comparable across processes on the same
 * machine (both sides add their own high-resolution offset to a shared wall-clock origin).
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `everyMs` until it returns true; false when `timeoutMs` passes first. Used only
 * for setup barriers (e.g. "every socket got its first message"), never for a measured figure.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
