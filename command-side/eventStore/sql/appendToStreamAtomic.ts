import type pg from 'pg';
import { EVENT_COLUMNS_TARGET, eventArrayRows, eventArrays, headOf, STREAM_VERSION_KEY, type AppendResult, type NewEvent } from './appendToStream.ts';

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

/**
 * A card token and the sandbox provider's reference for it, stored by the append in its own
 * statement (the sandbox vault shares the event store's database; see `payments/paymentVault.ts`):
 * the reference exists exactly when the event that names it does.
 */
export interface VaultEntry {
  ref: string;
  token: string;
}

/** What else rides in the append's statement. */
export interface AtomicAppendOptions {
  guards?: readonly StreamGuard[];
  idempotency?: IdempotencyClaim;
  vaultEntry?: VaultEntry;
}

/** Outcome of {@link appendToStreamAtomic}: an {@link AppendResult}, or why a guard or a key stopped it. */
export type AtomicAppendResult =
  | AppendResult
  | { ok: false; reason: 'STALE_GUARD'; stale: string[] }
  | { ok: false; reason: 'KEY_EXISTS' };

/** Which optional parts a statement carries: each combination is its own prepared statement. */
interface Shape {
  /** More than one event: the rows come from arrays (`unnest`), else from scalar parameters. */
  many: boolean;
  keyed: boolean;
  vaulted: boolean;
}

// Parameters: $1 stream id, $2 expected version, $3/$4 guard stream ids / versions, $5..$15 the
// event columns after stream_id (scalars for one event, arrays for several), then the key's
// ($16 key, $17 request hash, $18 new version) and the vault entry's (ref, token), when present.
const ONE_ROW = `select $5::uuid, $6::int, $7::text, $8::int, $9::jsonb, $10::jsonb, $11::text, $12::text, $13::text, $14::text, $15::timestamptz`;
const MANY_ROWS = eventArrayRows(5);

// Only when nothing was inserted: which condition refused it, in the same snapshot as the insert's
// own checks (a CASE branch's subqueries run only when taken, so an accepted append pays nothing).
const REFUSAL_COLUMNS = `case when not exists (select 1 from ins) then ${headOf('$1')} end as head,
    case when not exists (select 1 from ins) then array(select g.stream_id from unnest($3::text[], $4::int[]) as g(stream_id, version) where ${headOf('g.stream_id')} <> g.version) end as stale`;

// One statement, hence one implicit transaction and one round trip. The events go in only if
// 1. the stream's head is the expected version in the statement's snapshot (no gap, nothing newer),
// 2. every guard stream is still at the version the decision read,
// and the unique (stream_id, stream_version) key decides a race with a writer that commits after
// that snapshot: the loser's insert fails (23505), which rolls the whole statement back. There is
// no head row to move: the events table's own key is the concurrency check.
// 3. the idempotency key is claimed with the result a retry replays (a key already there raises
//    23505 too: a retry never appends twice); 4. the vault entry is stored.
// The relay's NOTIFY is sent after the commit, not here (see ../relayWaker.ts for why).
function appendSql({ many, keyed, vaulted }: Shape): string {
  const v = keyed ? 19 : 16;
  return `
  with ins as (
    insert into events ${EVENT_COLUMNS_TARGET}
    select e.event_id, $1, e.stream_version, e.type, e.version, e.data, e.metadata, e.source, e.correlation_id, e.causation_id, e.traceparent, e.occurred_at
    from (${many ? MANY_ROWS : ONE_ROW}) as e(event_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)
    where ${headOf('$1')} = $2::int
      and not exists (select 1 from unnest($3::text[], $4::int[]) as g(stream_id, version) where ${headOf('g.stream_id')} <> g.version)
    ${many ? 'order by e.stream_version' : ''}
    returning transaction_id::text || '.' || global_position::text as position, global_position
  )${keyed ? `, keyed as (
    insert into idempotency_keys (key, request_hash, result)
    select $16, $17, jsonb_build_object('streamId', $1::text, 'streamVersion', $18::int, 'position', l.position, 'appended', '[]'::jsonb)
    from (select position from ins order by global_position desc limit 1) as l
  )` : ''}${vaulted ? `, vaulted as (
    insert into sandbox_payment_methods (ref, token) select $${v}, $${v + 1} where exists (select 1 from ins)
  )` : ''}
  select array(select position from ins order by global_position) as positions,
    ${REFUSAL_COLUMNS}`;
}

const statements = new Map<string, { name: string; text: string }>();

/** The prepared statement of a shape (named: the server parses and plans each one once per connection). */
function statementOf(shape: Shape): { name: string; text: string } {
  const name = `orderflow_append_${shape.many ? 'n' : '1'}${shape.keyed ? 'k' : ''}${shape.vaulted ? 'v' : ''}`;
  let s = statements.get(name);
  if (!s) statements.set(name, (s = { name, text: appendSql(shape) }));
  return s;
}

/** Parses the `transaction_id.global_position` text the append statements return. */
export function parsePosition(text: string): { transactionId: bigint; globalPosition: bigint } {
  const dot = text.indexOf('.');
  return { transactionId: BigInt(text.slice(0, dot)), globalPosition: BigInt(text.slice(dot + 1)) };
}

/** The event columns' parameters: scalars for one event (no array literal to build and escape), else arrays. */
function eventValues(expectedVersion: number, events: readonly NewEvent[]): unknown[] {
  if (events.length !== 1) return eventArrays(expectedVersion, events);
  const e = events[0] as NewEvent;
  return [e.eventId, expectedVersion + 1, e.type, e.version, JSON.stringify(e.data), JSON.stringify(e.metadata), e.source, e.correlationId, e.causationId, e.traceparent, e.occurredAt];
}

/**
 * Appends events to a stream with optimistic concurrency in a single statement: the stream's head
 * and the guards' versions are checked, the events inserted, the idempotency key claimed with its
 * result and the vault entry stored, all or nothing. It does not NOTIFY the relay: the caller
 * does, after the commit. `expectedVersion` 0 means "the stream must not exist". A refusal says
 * which condition refused it from the same statement; only a race lost to a writer that committed
 * after the statement's snapshot costs a second one (reading the head that writer left).
 * @throws the driver's error for anything but the outcomes of {@link AtomicAppendResult}.
 */
export async function appendToStreamAtomic(db: pg.Pool | pg.ClientBase, streamId: string, expectedVersion: number, events: readonly NewEvent[], options: AtomicAppendOptions = {}): Promise<AtomicAppendResult> {
  if (events.length === 0) return { ok: true, streamVersion: expectedVersion, positions: [] };
  const next = expectedVersion + events.length;
  const guards = options.guards ?? [];
  const { idempotency, vaultEntry } = options;
  const guardIds = guards.map((g) => g.streamId);
  const guardVersions = guards.map((g) => g.version);
  const values = [streamId, expectedVersion, guardIds, guardVersions, ...eventValues(expectedVersion, events)];
  if (idempotency) values.push(idempotency.key, idempotency.requestHash, next);
  if (vaultEntry) values.push(vaultEntry.ref, vaultEntry.token);
  let row: { positions: string[]; head: number | null; stale: string[] | null } | undefined;
  try {
    ({ rows: [row] } = await db.query<{ positions: string[]; head: number | null; stale: string[] | null }>({ ...statementOf({ many: events.length > 1, keyed: idempotency !== undefined, vaulted: vaultEntry !== undefined }), values }));
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'idempotency_keys_pkey') return { ok: false, reason: 'KEY_EXISTS' };
    if (e.code !== '23505' || e.constraint !== STREAM_VERSION_KEY) throw err;
    // A writer that committed after this statement's snapshot took the version first: the
    // statement was rolled back, so its head is read again.
    const { rows } = await db.query<{ head: number }>({ name: 'orderflow_append_head', text: `select ${headOf('$1')} as head`, values: [streamId] });
    return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: rows[0]?.head ?? null };
  }
  if (row && row.positions.length > 0) return { ok: true, streamVersion: next, positions: row.positions.map(parsePosition) };
  if (row?.stale && row.stale.length > 0) return { ok: false, reason: 'STALE_GUARD', stale: row.stale };
  return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: row?.head ?? null };
}
