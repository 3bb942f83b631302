/** What `/debug/heap` answers: memory right after a forced garbage collection. */
export interface HeapSample {
  /** False when node runs without --expose-gc: the numbers then include garbage. */
  gc: boolean;
  heapUsedBytes: number;
  rssBytes: number;
}

/**
 * Forces a full GC when node exposes it (`--expose-gc`), then samples the heap used and the RSS:
 * growth of the heap after GC, not of the RSS, is what tells a leak from a lazy collector.
 */
export function heapAfterGc(): HeapSample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  const m = process.memoryUsage();
  return { gc: typeof gc === 'function', heapUsedBytes: m.heapUsed, rssBytes: m.rss };
}
