import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
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
  /** Time of one reaction to an event (retries included), by event type. */
  reactionSeconds: Histogram<'type'>;
  /** Time of one call to the payment gateway (the resilient gateway's retries included), by operation: the provider's share of a reaction. */
  gatewaySeconds: Histogram<'operation'>;
}

const cache = new WeakMap<Registry, SagaMetrics>();
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
    reactionSeconds: new Histogram({ name: 'orderflow_saga_reaction_seconds', help: 'Time of one saga reaction to an event (retries included), by event type', labelNames: ['type'], buckets: LATENCY_BUCKETS, registers }),
    gatewaySeconds: new Histogram({ name: 'orderflow_payment_gateway_call_seconds', help: 'Time of one payment gateway call seen by the saga (retries included), by operation', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers }),
  };
  cache.set(registry, m);
  return m;
}
