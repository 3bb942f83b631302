import { parseEnvelope, type EventEnvelope, type LogPosition } from '../../../contracts/index.ts';

/** The columns every read selects, in envelope order. */
export const EVENT_COLUMNS = `event_id, type, version, stream_id, stream_version, global_position::text as global_position,
  transaction_id::text as transaction_id, occurred_at, source, correlation_id, causation_id, traceparent, data, metadata`;

/** One row of `events` as pg returns it. */
export interface EventRow {
  event_id: string;
  type: string;
  version: number;
  stream_id: string;
  stream_version: number;
  global_position: string;
  transaction_id: string;
  occurred_at: Date;
  source: string;
  correlation_id: string;
  causation_id: string | null;
  traceparent: string | null;
  data: unknown;
  metadata: Record<string, string>;
}

/** A stored event: its envelope (data upcast to the current version) and its place in the log. */
export interface StoredEvent {
  envelope: EventEnvelope;
  position: LogPosition;
}

/**
 * Turns a row into a current-version envelope (upcasting old payloads on read; stored rows are
 * never rewritten).
 * @throws ContractError when the row's type is unknown or its data invalid.
 */
export function toStoredEvent(row: EventRow): StoredEvent {
  return { envelope: parseEnvelope(rowToRawEnvelope(row)), position: { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } };
}

/** A row's envelope fields exactly as stored (data not upcast): what the relay forwards. */
export function rowToRawEnvelope(row: EventRow) {
  return {
    eventId: row.event_id,
    type: row.type,
    version: row.version,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: row.global_position,
    occurredAt: row.occurred_at.toISOString(),
    source: row.source,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    traceparent: row.traceparent,
    data: row.data,
    metadata: row.metadata,
  };
}
