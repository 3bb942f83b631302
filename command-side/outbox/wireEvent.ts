import type { WireEvent } from '../../messaging/index.ts';
import { rowToRawEnvelope, type EventRow } from '../eventStore/sql/storedEvent.ts';

/** A stored row as it goes on the wire: data exactly as stored (consumers upcast on read). */
export function rowToWireEvent(row: EventRow): WireEvent {
  return { position: `${row.transaction_id}.${row.global_position}`, envelope: rowToRawEnvelope(row) };
}
