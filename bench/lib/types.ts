import type { Summary } from '../stats.ts';

/** Options every scenario receives. */
export interface BenchOptions {
  /** Smoke run: small counts and short durations (whole run < 2 min). */
  quick: boolean;
  /** Prints progress lines. */
  log(message: string): void;
  /** `--events N`: the size of the event store a scenario that seeds one replays (`rebuild`). */
  events?: number;
}

/** A target on one figure, as the issue states it. */
export interface Target {
  /** Human form, e.g. "≥ 50% of raw INSERT" or "p99 < 10 ms". */
  text: string;
  met: boolean;
  /** Why it was missed (or could not be judged); empty when met. */
  reason?: string;
}

/** One measured figure with its same-run baseline. */
export interface Figure {
  /** Short label, e.g. "placeOrder @32 writers". */
  name: string;
  value: number;
  unit: string;
  /** What the raw service did in the same run under the same conditions. */
  baseline?: { what: string; value: number; unit: string };
  /** value / baseline.value. */
  ratio?: number;
  target?: Target;
  /** Latency distribution behind the figure (ms), when there is one. */
  latency?: Summary;
  baselineLatency?: Summary;
  notes?: string[];
}

/** What a scenario returns. */
export interface ScenarioResult {
  id: string;
  title: string;
  /** Wall time of the scenario, setup included (ms). */
  wallMs: number;
  figures: Figure[];
  /** Scenario-level notes: method, caveats, anything not measured and why. */
  notes: string[];
  /** Set when the scenario failed to run; its figures may be partial. */
  error?: string;
  /** Load average (1 min) before and after: other work on the box skews numbers. */
  loadAvg?: { before: number; after: number };
  /** CPU seconds burnt per component during the scenario (2 cores = 2 CPU-seconds per second of wall time). */
  cpuSeconds?: Record<string, number>;
}

/** A scenario module's entry point. */
export type Scenario = (opts: BenchOptions) => Promise<Omit<ScenarioResult, 'wallMs' | 'loadAvg' | 'cpuSeconds'>>;
