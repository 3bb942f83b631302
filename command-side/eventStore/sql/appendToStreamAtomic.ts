import type pg from 'pg';
import { EVENTS_CHANNEL, EVENT_ROWS, EVENT_TARGET, eventParams, type AppendResult, type NewEvent } from './appendToStream.ts';

// One statement, hence one implicit transaction and one round trip: move the stream head
// compare-and-set (claim a new stream, or advance from the expected version), insert the events
// only if that succeeded, and NOTIFY the relay. Same guarantees as appendToStream + begin/commit,
// a fifth of the round trips.
const APPEND = `
  with claimed as (
    insert into streams (stream_id, version) select $1, $13 where $14::int = 0
    on conflict do nothing returning version
  ), advanced as (
    update streams set version = $13, updated_at = now()
    where stream_id = $1 and version = $14 and $14::int > 0 returning version
  ), won as (
    select version from claimed union all select version from advanced
  ), inserted as (
    insert into ${EVENT_TARGET} ${EVENT_ROWS} where exists (select 1 from won) order by e.stream_version
    returning transaction_id::text as tx, global_position::text as gp
  )
  select tx, gp, (select count(*) from (select pg_notify('${EVENTS_CHANNEL}', '')) n) as notified from inserted`;

/**
 * Appends events to a stream with optimistic concurrency in a single statement (for appends with
 * nothing else to commit alongside, i.e. without an idempotency key). `expectedVersion` 0 means
 * "the stream must not exist".
 */
export async function appendToStreamAtomic(db: pg.Pool | pg.ClientBase, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<AppendResult> {
  if (events.length === 0) return { ok: true, streamVersion: expectedVersion, positions: [] };
  const next = expectedVersion + events.length;
  // Named: prepared once per connection, so the server does not re-parse and re-plan the CTE each time.
  const { rows } = await db.query<{ tx: string; gp: string }>({ name: 'orderflow_append', text: APPEND, values: [...eventParams(streamId, expectedVersion, events), next, expectedVersion] });
  if (rows.length === 0) {
    const actual = await db.query<{ version: number }>('select version from streams where stream_id = $1', [streamId]);
    return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: actual.rows[0]?.version ?? null };
  }
  return { ok: true, streamVersion: next, positions: rows.map((r) => ({ transactionId: BigInt(r.tx), globalPosition: BigInt(r.gp) })) };
}
