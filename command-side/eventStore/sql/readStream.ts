import type pg from 'pg';
import { EVENT_COLUMNS, toStoredEvent, type EventRow, type StoredEvent } from './storedEvent.ts';

/** Where a stream read stops: at most this version, and/or events that occurred at or before this time. */
export interface ReadStreamBound {
  maxVersion?: number;
  at?: Date;
  /** Only events after this version (the caller already folded the ones up to it). */
  afterVersion?: number;
}

const READ_STREAM = `select ${EVENT_COLUMNS} from events
  where stream_id = $1 and ($2::int is null or stream_version <= $2) and ($3::timestamptz is null or occurred_at <= $3)
    and stream_version > coalesce($4::int, 0)
  order by stream_version`;

/**
 * Reads one stream in version order, optionally only up to a version or a moment (temporal
 * queries: "the state of order X at 14:00" folds the events read with `{ at }`).
 */
export async function readStream(db: pg.Pool | pg.ClientBase, streamId: string, bound: ReadStreamBound = {}): Promise<StoredEvent[]> {
  const { rows } = await db.query<EventRow>({ name: 'orderflow_read_stream', text: READ_STREAM, values: [streamId, bound.maxVersion ?? null, bound.at ?? null, bound.afterVersion ?? null] });
  return rows.map(toStoredEvent);
}
