import type { Producer } from 'kafkajs';
import { viewChangedTopic } from '../../messaging/index.ts';

/** An event behind a view change: its correlation id and W3C traceparent (the append span), for tracing. */
export interface ChangeCause {
  correlationId: string;
  traceparent: string | null;
}

/** A "view changed" notification: published after the view write, so a re-read sees the new state. */
export interface ViewChanged {
  projection: string;
  generation: number;
  /** Per logical view, the ids of the documents written. */
  touched: Record<string, string[]>;
  /** Per "topic:partition", the log position applied up to (the projection's watermark vector). */
  positions: Record<string, string>;
  /**
   * Per "topic:partition", the position of the previous notification this worker sent (or tried to)
   * since it started; absent for its first. A reader that last applied something else missed
   * one (a failed send, another writer before a rebalance) and must not trust what it cached.
   */
  after?: Record<string, string>;
  at: string;
  /** The events whose writes this change carries (at most 64), so subscription pushes link to their traces. */
  causes?: ChangeCause[];
}

/** Publishes one notification, keyed by projection so one projection's notifications stay ordered. */
export async function publishViewChanged(producer: Producer, prefix: string, change: ViewChanged): Promise<void> {
  await producer.send({ topic: viewChangedTopic(prefix), acks: 1, messages: [{ key: change.projection, value: JSON.stringify(change) }] });
}

/** Parses a notification; undefined for anything malformed (ignored by subscribers). */
export function parseViewChanged(value: Buffer | null): ViewChanged | undefined {
  try {
    const v = JSON.parse(value?.toString('utf8') ?? '') as ViewChanged;
    return typeof v.projection === 'string' && typeof v.positions === 'object' && typeof v.touched === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}
