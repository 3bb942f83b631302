import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';

/** The relay's Prometheus metrics (one set per registry, created on first use). */
export interface RelayMetrics {
  published: Counter;
  errors: Counter;
  backlogRows: Gauge;
  backlogAgeSeconds: Gauge;
  appendToPublishedSeconds: Histogram;
  active: Gauge;
}

const cache = new WeakMap<Registry, RelayMetrics>();

/** Metrics of the outbox relay on `registry`. */
export function relayMetrics(registry: Registry = defaultRegistry): RelayMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: RelayMetrics = {
    published: new Counter({ name: 'orderflow_relay_published_total', help: 'Events published to Kafka (acks=all)', registers }),
    errors: new Counter({ name: 'orderflow_relay_errors_total', help: 'Relay publish/database errors', registers }),
    backlogRows: new Gauge({ name: 'orderflow_outbox_backlog_rows', help: 'Committed events not yet published', registers }),
    backlogAgeSeconds: new Gauge({ name: 'orderflow_outbox_backlog_oldest_age_seconds', help: 'Age of the oldest unpublished event', registers }),
    appendToPublishedSeconds: new Histogram({
      name: 'orderflow_relay_append_to_published_seconds', help: 'Event occurredAt to broker ack', registers,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    active: new Gauge({ name: 'orderflow_relay_active', help: '1 while this relay holds the publishing lock', registers }),
  };
  cache.set(registry, m);
  return m;
}
