/** Header names a dead-lettered message carries beside its original headers (one set for every consumer group). */
export const DLQ_HEADERS = {
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  failedAt: 'dlq-failed-at',
  group: 'dlq-group',
} as const;

/** Where a message that could not be handled came from, and why. */
export interface DeadLetterOrigin {
  group: string;
  topic: string;
  partition: number;
  offset: string;
  attempts: number;
  /** The error as text (see `errorText`). */
  error: string;
  /** ISO time of the give-up. */
  failedAt: string;
}

/** The error as one line of text: `Name: message` for an Error, `String(err)` otherwise. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The `dlq-*` headers naming a dead letter's origin (the error text is cut to 2,000 characters). */
export function deadLetterHeaders(o: DeadLetterOrigin): Record<string, string> {
  return {
    [DLQ_HEADERS.error]: o.error.slice(0, 2000),
    [DLQ_HEADERS.attempts]: String(o.attempts),
    [DLQ_HEADERS.originalTopic]: o.topic,
    [DLQ_HEADERS.originalPartition]: String(o.partition),
    [DLQ_HEADERS.originalOffset]: o.offset,
    [DLQ_HEADERS.failedAt]: o.failedAt,
    [DLQ_HEADERS.group]: o.group,
  };
}
