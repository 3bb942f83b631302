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
 * Formats one stack trace first: under `--enable-source-maps` (how the role bundle runs) node parses
 * a file's source map the first time a stack through it is formatted and keeps it for the process's
 * life, ~10 MiB for the bundle (a serve heap snapshot across a soak's stall: 70,000 `SourceMap`
 * mapping arrays appeared with its first logged errors). Every sample then includes that cache, so
 * the first error after a soak's warm-up does not read as growth.
 */
export function heapAfterGc(): HeapSample {
  void new Error('heap sample').stack;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  const m = process.memoryUsage();
  return { gc: typeof gc === 'function', heapUsedBytes: m.heapUsed, rssBytes: m.rss };
}
