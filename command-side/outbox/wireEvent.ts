import type { WireEvent } from '../../messaging/codec.ts';
import type { EventRow } from '../eventStore/sql/storedEvent.ts';

/** A stored row as it goes on the wire: data exactly as stored (consumers upcast on read). */
export function rowToWireEvent(row: EventRow): WireEvent {
  return {
    position: `${row.transaction_id}.${row.global_position}`,
    envelope: {
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
    },
  };
}
