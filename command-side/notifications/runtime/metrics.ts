import { Counter, register as defaultRegistry, type Registry } from 'prom-client';

/** The notification consumer's Prometheus metrics. */
export interface NotificationMetrics {
  /** Order transitions by outcome: `sent`, `duplicate` (already sent), `dead_lettered`. */
  notifications: Counter<'outcome'>;
  /** Retried sends, by failure kind. */
  retries: Counter<'kind'>;
}

const cache = new WeakMap<Registry, NotificationMetrics>();

/** Notification metrics on `registry` (created once per registry). */
export function notificationMetrics(registry: Registry = defaultRegistry): NotificationMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: NotificationMetrics = {
    notifications: new Counter({ name: 'orderflow_notifications_total', help: 'Customer notifications by outcome', labelNames: ['outcome'], registers }),
    retries: new Counter({ name: 'orderflow_notification_retries_total', help: 'Notification sends retried, by failure kind', labelNames: ['kind'], registers }),
  };
  cache.set(registry, m);
  return m;
}
