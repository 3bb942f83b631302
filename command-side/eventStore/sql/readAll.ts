import type pg from 'pg';
import type { LogPosition } from '../../../contracts/index.ts';
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type StoredEvent } from './storedEvent.ts';

// A row is safe to pass only when no transaction that could still commit an earlier-sorting row is
// in flight. The bound is the oldest in-progress transaction of the snapshot — except those known to
// belong to OTHER databases (they cannot write our events table): the snapshot's xmin is cluster-wide,
// so without this a long transaction in any database on the server would stall every reader.
// An in-progress xid we cannot place (its backend already moved on) is kept: conservative, never unsafe.
// Rows are ordered by (transaction_id, global_position): a late commit sorts before what follows it.
const SAFE_BOUND = `(
  select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
  from pg_snapshot_xip(pg_current_snapshot()) as x
  where x::xid not in (
    select backend_xid from pg_stat_activity
    where backend_xid is not null and datname is not null and datname <> current_database()))`;

const READ_ALL = `select ${EVENT_COLUMNS} from events
  where (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
    and transaction_id < ${SAFE_BOUND}
  order by events.transaction_id, events.global_position -- qualified: the select list re-aliases both as text
  limit $3`;

/**
 * Reads the global log after `after`, gap-safely: it never returns an event while an earlier
 * transaction could still commit events that sort before it. Upcasts old payloads.
 */
export async function readAll(db: pg.Pool | pg.ClientBase, after: LogPosition, limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>({ name: 'orderflow_read_all', text: READ_ALL, values: [after.transactionId.toString(), after.globalPosition.toString(), limit] });
  return rows.map(toStoredEvent);
}

/** Raw rows of the same read, for the relay, which forwards stored data without re-validating it. */
export async function readAllRows(db: pg.Pool | pg.ClientBase, after: LogPosition, limit: number): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>({ name: 'orderflow_read_all', text: READ_ALL, values: [after.transactionId.toString(), after.globalPosition.toString(), limit] });
  return rows;
}
