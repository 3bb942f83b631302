import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';

/** The projector's Prometheus metrics. */
export interface ProjectorMetrics {
  applied: Counter<'projection'>;
  deadLetters: Counter<'projection'>;
  retries: Counter<'projection'>;
  /** Failed tries by class (`transient`: waited out; `limited`: counted towards the dead-letter topic). */
  failures: Counter<'projection' | 'kind'>;
  /** Partitions waiting out a transient failure now. */
  pausedPartitions: Gauge<'projection'>;
  /** Checkpoint compare-and-set outcomes (`advanced`, `already-there`, `ahead`). */
  checkpoints: Counter<'projection' | 'outcome'>;
  lag: Gauge<'projection' | 'topic' | 'partition'>;
  endToEndSeconds: Histogram<'projection'>;
}

const cache = new WeakMap<Registry, ProjectorMetrics>();

/** Projector metrics on `registry` (created once per registry). */
export function projectorMetrics(registry: Registry = defaultRegistry): ProjectorMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: ProjectorMetrics = {
    applied: new Counter({ name: 'orderflow_projector_events_applied_total', help: 'Events applied to views', labelNames: ['projection'], registers }),
    deadLetters: new Counter({ name: 'orderflow_projector_dead_letters_total', help: 'Events sent to the dead-letter topic', labelNames: ['projection'], registers }),
    retries: new Counter({ name: 'orderflow_projector_retries_total', help: 'Retried applies', labelNames: ['projection'], registers }),
    failures: new Counter({ name: 'orderflow_projector_failures_total', help: 'Failed apply tries by failure class', labelNames: ['projection', 'kind'], registers }),
    pausedPartitions: new Gauge({ name: 'orderflow_projector_paused_partitions', help: 'Partitions waiting out a transient store failure', labelNames: ['projection'], registers }),
    checkpoints: new Counter({ name: 'orderflow_projector_checkpoint_writes_total', help: 'Checkpoint compare-and-set outcomes', labelNames: ['projection', 'outcome'], registers }),
    lag: new Gauge({ name: 'orderflow_projector_consumer_lag', help: 'Messages behind the partition end', labelNames: ['projection', 'topic', 'partition'], registers }),
    endToEndSeconds: new Histogram({
      name: 'orderflow_projector_end_to_end_seconds', help: 'Event appended to view written', labelNames: ['projection'], registers,
      buckets: [0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
  };
  cache.set(registry, m);
  return m;
}
