import { metricSum } from '../../tests/support/roleProcess.ts';

/** One process of the soaked topology and where it answers `/debug/heap` and `/metrics`. */
export interface SoakTarget {
  /** `serve-1`, `relay-2`, … or `supervisor` (the supervisor and its proxy). */
  name: string;
  port: number;
}

/** What one process reported at one sample. */
export interface ProcessSample {
  /** Heap used right after a forced GC, MiB (null when `/debug/heap` did not answer). */
  heapAfterGcMiB: number | null;
  rssMiB: number | null;
  /** False when the process ran without `--expose-gc` (the heap figure would include garbage). */
  gc: boolean;
  /** Sum of `orderflow_consumer_lag` (messages behind the partition ends, every group of the process). */
  consumerLag: number;
  /** `orderflow_outbox_backlog_rows` (relays; 0 elsewhere). */
  outboxBacklog: number;
  /** Cumulative sum and count of `orderflow_projector_end_to_end_seconds` (event appended → view written). */
  appendToViewSum: number;
  appendToViewCount: number;
  /** Cumulative sum and count of serve's `orderflow_subscription_fanout_seconds{stage="load"}` (notification received → its payloads read). */
  hubLoadSum: number;
  hubLoadCount: number;
  /** prom-client's `nodejs_eventloop_lag_p99_seconds`, ms: how long ready work waited for the event loop. */
  eventLoopP99Ms: number;
  /** serve's view cache (a bounded LRU, so part of the heap by design): entries and estimated bytes. */
  viewCacheEntries: number;
  viewCacheMiB: number;
}

const MIB = 2 ** 20;
const isLoadStage = (labels: string) => labels.includes('stage="load"');
const mib = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

async function get(url: string, timeoutMs: number): Promise<Response | null> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => (r.ok ? r : null), () => null);
}

/**
 * Samples one process: `/debug/heap` (a forced GC, then heap used and RSS; ORDERFLOW_DEBUG_HEAP=1 and
 * node --expose-gc) and its `/metrics`. A process that does not answer gives nulls and zeros rather
 * than failing the soak; the summary counts those as missing samples.
 */
export async function sampleProcess(target: SoakTarget, timeoutMs = 15_000): Promise<ProcessSample> {
  const base = `http://127.0.0.1:${target.port}`;
  const heapRes = await get(`${base}/debug/heap`, timeoutMs);
  const heap = heapRes ? ((await heapRes.json()) as { heapUsedBytes: number; rssBytes: number; gc: boolean }) : null;
  const text = await get(`${base}/metrics`, timeoutMs).then((r) => r?.text() ?? '', () => '');
  return {
    heapAfterGcMiB: heap ? mib(heap.heapUsedBytes) : null,
    rssMiB: heap ? mib(heap.rssBytes) : null,
    gc: heap?.gc ?? false,
    consumerLag: metricSum(text, 'orderflow_consumer_lag'),
    outboxBacklog: metricSum(text, 'orderflow_outbox_backlog_rows'),
    appendToViewSum: metricSum(text, 'orderflow_projector_end_to_end_seconds_sum'),
    appendToViewCount: metricSum(text, 'orderflow_projector_end_to_end_seconds_count'),
    hubLoadSum: metricSum(text, 'orderflow_subscription_fanout_seconds_sum', isLoadStage),
    hubLoadCount: metricSum(text, 'orderflow_subscription_fanout_seconds_count', isLoadStage),
    eventLoopP99Ms: Math.round(metricSum(text, 'nodejs_eventloop_lag_p99_seconds') * 10_000) / 10,
    viewCacheEntries: metricSum(text, 'orderflow_view_cache_entries'),
    viewCacheMiB: mib(metricSum(text, 'orderflow_view_cache_bytes')),
  };
}
