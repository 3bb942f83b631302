import { EventEmitter } from 'node:events';

/** What {@link reportFatal} tells the process owner. */
export interface FatalReport {
  /** The part that gave up, e.g. "projector consumer order_detail". */
  source: string;
  err: unknown;
}

const bus = new EventEmitter();

/**
 * Tells whoever owns the process (the role runner) that a part stopped for good and will not
 * recover by itself — e.g. a Kafka consumer that cannot rejoin its group — so the process exits
 * non-zero and its supervisor (or Kubernetes) restarts it. Returns false when nobody listens (a
 * part running inside a test process), so the caller can only log.
 */
export function reportFatal(report: FatalReport): boolean {
  return bus.emit('fatal', report);
}

/** Subscribes to {@link reportFatal}; returns the unsubscribe function. */
export function onFatal(listener: (report: FatalReport) => void): () => void {
  bus.on('fatal', listener);
  return () => bus.off('fatal', listener);
}
