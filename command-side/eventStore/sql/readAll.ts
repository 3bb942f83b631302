import type pg from 'pg';
import type { LogPosition } from '../position.ts';
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type StoredEvent } from './storedEvent.ts';

// Only transactions below the snapshot's xmin are certainly finished: a row from a transaction
// still in flight (or one that started earlier but commits later) stays invisible until then,
// and ordering by (transaction_id, global_position) puts it before anything that follows it.
const READ_ALL = `select ${EVENT_COLUMNS} from events
  where (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
    and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  order by events.transaction_id, events.global_position -- qualified: the select list re-aliases both as text
  limit $3`;

/**
 * Reads the global log after `after`, gap-safely: it never returns an event while an earlier
 * transaction could still commit events that sort before it. Upcasts old payloads.
 */
export async function readAll(db: pg.Pool | pg.ClientBase, after: LogPosition, limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>(READ_ALL, [after.transactionId.toString(), after.globalPosition.toString(), limit]);
  return rows.map(toStoredEvent);
}

/** Raw rows of the same read, for the relay, which forwards stored data without re-validating it. */
export async function readAllRows(db: pg.Pool | pg.ClientBase, after: LogPosition, limit: number): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(READ_ALL, [after.transactionId.toString(), after.globalPosition.toString(), limit]);
  return rows;
}
