import type { Summary } from '../stats.ts';
import type { PlaceCounts } from './placeLoad.ts';
import type { ProcessSample } from './sampleProcess.ts';

/** One sample of the whole soak (every `--interval-s`). */
export interface SoakSample {
  /** Seconds since the load started. */
  atS: number;
  /** Cumulative placeOrder outcomes. */
  accepted: number;
  failed: number;
  /** Cumulative subscription messages received by the fleet. */
  deliveries: number;
  /**
   * End-to-end lag of this interval: placeOrder acknowledged → that order's first message on each
   * subscriber of its customer (store, relay, Kafka, projector, views.changed, serve's fan-out and
   * the socket), ms. Null when no first delivery arrived in the interval.
   */
  lagMs: Summary | null;
  /** Mean `orderflow_projector_end_to_end_seconds` (appended → view written) over the interval, ms, all projector processes. */
  appendToViewMeanMs: number | null;
  /** Mean notification → payloads read in the serve hubs over the interval, ms (where lag would pile up if the hub fell behind). */
  hubLoadMeanMs: number | null;
  /**
   * The subscriber fleet's own event-loop delay over the interval (p99 and max, ms): how late the
   * load generator itself could have stamped an arrival. A lag figure near it measures the client.
   */
  fleetLoopDelayMs: { p99: number; max: number };
  /** Sum of every process's `orderflow_consumer_lag` and the relays' outbox backlog at the sample. */
  consumerLag: number;
  outboxBacklog: number;
  /** Per process (`serve-1`, …, `supervisor`): its memory after a forced GC, and its pid then. */
  processes: Record<string, ProcessSample & { pid: number | null }>;
}

/** The verdict on one process's memory. */
export interface ProcessVerdict {
  name: string;
  /** Heap after GC at the first sample at or after the warm-up, and at the last sample, MiB. */
  warmupHeapMiB: number | null;
  endHeapMiB: number | null;
  growthPercent: number | null;
  warmupRssMiB: number | null;
  endRssMiB: number | null;
  /** Pids seen: more than one means the supervisor restarted it (its heap started over). */
  pids: number[];
  /** Samples without an answer from `/debug/heap`. */
  missingSamples: number;
  /** Within the tolerance, with a GC-forced figure at both ends and never restarted. */
  ok: boolean;
}

/** Whether the end-to-end lag grows over the run. */
export interface LagTrend {
  /** Median of the per-interval p50s over the first and the last third after the warm-up, ms. */
  firstThirdP50Ms: number | null;
  lastThirdP50Ms: number | null;
  /** Least-squares slope of the per-interval p50 after the warm-up, ms per minute. */
  slopeMsPerMin: number | null;
  /** Intervals after the warm-up with orders accepted but no first delivery at all. */
  silentIntervals: number;
  /** True when it grows: the last third is above the first by more than the allowance, or an interval went silent. */
  growing: boolean;
  allowanceMs: number;
  /** Intervals judged (those that began at or after the warm-up). */
  intervals: number;
  /** The subscriber fleet's worst event-loop delay over them, ms: the client's own share of any lag figure. */
  fleetLoopDelayMaxMs: number | null;
}

/** Options of `runSoak` (`npm run soak -- …`). */
export interface SoakOptions {
  minutes: number;
  /** placeOrder per second, spread over the customers (each far below the per-principal limit). */
  rate: number;
  subscribers: number;
  intervalS: number;
  /** Samples before this are warm-up: the heap verdict compares the end with the first sample at or after it. */
  warmupS: number;
  /** `--shape` of `orderflow start --topology`. */
  shape: string;
  /** Allowed heap-after-GC growth from warm-up to the end, per process. */
  heapTolerancePercent: number;
  /**
   * ORDERFLOW_VIEW_CACHE_ENTRIES of the serve processes. The view cache is a bounded LRU (100,000
   * entries / 128 MB by default) that grows with the orders until its bound, by design; the soak
   * bounds it so that it fills early and what is left to see is growth without a bound.
   */
  viewCacheEntries: number;
}

/** The JSON `npm run soak` writes. */
export interface SoakReport extends SoakOptions {
  startedAt: string;
  /** `uptime` load averages at the start and the end. */
  loadAverage: { start: number[]; end: number[] };
  /** Seconds until every process answered /readyz, and until every subscriber was open. */
  readyS: number;
  subscribersOpenS: number;
  subscribersOpen: number;
  subscribersFailed: number;
  load: PlaceCounts;
  /** Accepted orders whose first message never reached their customer's subscribers (after a drain). */
  undelivered: number;
  deliveries: number;
  /** Warning/error log lines of the topology by message, with the first error text of each. */
  logs: Record<string, { count: number; first: string }>;
  processes: ProcessVerdict[];
  lag: LagTrend;
  /** Every pid the run started (supervisor, its children, the subscriber fleet) still alive after it stopped. */
  processesLeft: number[];
  topologyExitCode: number | null;
  /** Why the run stopped early, when it did. */
  error?: string;
  passed: boolean;
  samples: SoakSample[];
}
