import type pg from 'pg';
import { EVENT_ROWS, EVENT_TARGET, eventParams, type AppendResult, type NewEvent } from './appendToStream.ts';

/** Another stream whose version the decision read (e.g. a catalogue price): the append only lands if it is still there. */
export interface StreamGuard {
  streamId: string;
  /** The version the decision saw; 0 means "did not exist". */
  version: number;
}

/** A client key claimed in the append's own statement, with the result a retry will get back. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

/** What else rides in the append's statement. */
export interface AtomicAppendOptions {
  guards?: readonly StreamGuard[];
  idempotency?: IdempotencyClaim;
}

/** Outcome of {@link appendToStreamAtomic}: an {@link AppendResult}, or why a guard or a key stopped it. */
export type AtomicAppendResult =
  | AppendResult
  | { ok: false; reason: 'STALE_GUARD'; stale: string[] }
  | { ok: false; reason: 'KEY_EXISTS' };

// One statement, hence one implicit transaction and one round trip:
// 1. `stale`: every guard stream must still be at the version the decision read (statement snapshot);
// 2. move the stream head compare-and-set (claim a new stream, or advance from the expected version);
// 3. insert the events only if that succeeded;
// 4. claim the idempotency key with the result a retry replays (a key already there raises 23505,
//    which rolls the whole statement back: a retry never appends twice);
// The relay's NOTIFY is sent after the commit, not here (see ../relayWaker.ts for why).
const APPEND = `
  with stale as (
    select coalesce(array_agg(g.stream_id), '{}') as ids
    from unnest($15::text[], $16::int[]) as g(stream_id, version)
    left join streams s on s.stream_id = g.stream_id
    where coalesce(s.version, 0) <> g.version
  ), fresh as (
    select 1 from stale where cardinality(ids) = 0
  ), claimed as (
    insert into streams (stream_id, version) select $1, $13 from fresh where $14::int = 0
    on conflict do nothing returning version
  ), advanced as (
    update streams set version = $13, updated_at = now()
    where stream_id = $1 and version = $14 and $14::int > 0 and exists (select 1 from fresh) returning version
  ), won as (
    select version from claimed union all select version from advanced
  ), inserted as (
    insert into ${EVENT_TARGET} ${EVENT_ROWS} where exists (select 1 from won) order by e.stream_version
    returning transaction_id::text || '.' || global_position::text as position, global_position
  ), last as (
    select position from inserted order by global_position desc limit 1
  ), keyed as (
    insert into idempotency_keys (key, request_hash, result)
    select $17, $18, jsonb_build_object('streamId', $1::text, 'streamVersion', $13::int, 'position', last.position, 'appended', '[]'::jsonb)
    from last where $17::text is not null
    returning 1
  )
  select (select ids from stale) as stale,
    array(select position from inserted order by global_position) as positions,
    (select count(*) from keyed) as keyed`;

const CURRENT_VERSION = 'select version from streams where stream_id = $1';

/** Parses the `transaction_id.global_position` text the append statements return. */
export function parsePosition(text: string): { transactionId: bigint; globalPosition: bigint } {
  const dot = text.indexOf('.');
  return { transactionId: BigInt(text.slice(0, dot)), globalPosition: BigInt(text.slice(dot + 1)) };
}

/**
 * Appends events to a stream with optimistic concurrency in a single statement: the guards'
 * versions are checked, the stream head moved, the events inserted and the idempotency key claimed
 * with its result, all or nothing. It does not NOTIFY the relay: the caller does, after the commit. `expectedVersion` 0 means "the stream
 * must not exist". Only a lost race costs a second statement (reading the actual version).
 * @throws the driver's error for anything but the outcomes of {@link AtomicAppendResult}.
 */
export async function appendToStreamAtomic(db: pg.Pool | pg.ClientBase, streamId: string, expectedVersion: number, events: NewEvent[], options: AtomicAppendOptions = {}): Promise<AtomicAppendResult> {
  if (events.length === 0) return { ok: true, streamVersion: expectedVersion, positions: [] };
  const next = expectedVersion + events.length;
  const guards = options.guards ?? [];
  const values = [
    ...eventParams(streamId, expectedVersion, events), next, expectedVersion,
    guards.map((g) => g.streamId), guards.map((g) => g.version),
    options.idempotency?.key ?? null, options.idempotency?.requestHash ?? null,
  ];
  let rows: { stale: string[]; positions: string[] }[];
  try {
    // Named: prepared once per connection, so the server does not re-parse and re-plan the CTE each time.
    ({ rows } = await db.query<{ stale: string[]; positions: string[] }>({ name: 'orderflow_append', text: APPEND, values }));
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'idempotency_keys_pkey') return { ok: false, reason: 'KEY_EXISTS' };
    throw err;
  }
  const row = rows[0];
  if (row && row.stale.length > 0) return { ok: false, reason: 'STALE_GUARD', stale: row.stale };
  if (!row || row.positions.length === 0) {
    const actual = await db.query<{ version: number }>(CURRENT_VERSION, [streamId]);
    return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: actual.rows[0]?.version ?? null };
  }
  return { ok: true, streamVersion: next, positions: row.positions.map(parsePosition) };
}
