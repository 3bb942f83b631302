import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import type { BreakerState } from '../../payments/resilientGateway.ts';

/** The saga runtime's Prometheus metrics. */
export interface SagaMetrics {
  /** 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge;
  /** Events by outcome: `handled`, `skipped`, `dead_lettered`. */
  events: Counter<'outcome'>;
  /** Retries by failure kind: `transient`, `limited`. */
  retries: Counter<'kind'>;
  /** Timeout rows swept, by outcome: `fired`, `failed`. */
  timeouts: Counter<'outcome'>;
}

const cache = new WeakMap<Registry, SagaMetrics>();

/** The gauge value of a breaker state (0 closed, 1 half-open, 2 open). */
export function breakerGaugeValue(state: BreakerState): number {
  switch (state) {
    case 'closed':
      return 0;
    case 'half-open':
      return 1;
    case 'open':
      return 2;
    default: {
      const unhandled: never = state;
      return unhandled;
    }
  }
}

/** Saga metrics on `registry` (created once per registry; workers sharing one share them). */
export function sagaMetrics(registry: Registry = defaultRegistry): SagaMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: SagaMetrics = {
    breakerState: new Gauge({ name: 'orderflow_payment_breaker_state', help: 'Payment gateway circuit breaker: 0 closed, 1 half-open, 2 open', registers }),
    events: new Counter({ name: 'orderflow_saga_events_total', help: 'Events seen by the fulfilment saga, by outcome', labelNames: ['outcome'], registers }),
    retries: new Counter({ name: 'orderflow_saga_retries_total', help: 'Saga reactions retried, by failure kind', labelNames: ['kind'], registers }),
    timeouts: new Counter({ name: 'orderflow_saga_timeouts_total', help: 'Saga timeout rows swept, by outcome', labelNames: ['outcome'], registers }),
  };
  cache.set(registry, m);
  return m;
}
