import type pg from 'pg';
import { EVENT_COLUMNS_TARGET, headOf, type NewEvent } from './appendToStream.ts';
import { parsePosition, type AtomicAppendOptions, type AtomicAppendResult } from './appendToStreamAtomic.ts';

/** One command's append inside a group: what {@link appendToStreamAtomic} takes, for one stream. */
export interface GroupedAppend {
  streamId: string;
  expectedVersion: number;
  events: readonly NewEvent[];
  options?: AtomicAppendOptions;
}

/**
 * Outcome of {@link appendGroup}: one result per command, in input order, or `RETRY_ALONE` when the
 * statement was rolled back for a reason that belongs to one command but cannot say which (an
 * idempotency key already claimed, a deadlock with another process): nothing of the group was
 * written, and each command must be appended on its own to get its own answer.
 */
export type AppendGroupResult =
  | { ok: true; results: AtomicAppendResult[] }
  | { ok: false; reason: 'RETRY_ALONE'; code: string };

// One statement for N commands on N distinct streams, hence one transaction and one WAL flush.
// Each CTE is the per-command version of appendToStreamAtomic.ts, keyed by the command's index:
// 1. `cmd`: each stream's head in the statement's snapshot; `stale`: the commands some of whose
//    guard streams moved. Only the commands at their expected head with fresh guards go on, so a
//    conflict already committed drops only that command (its row reports the head it found);
// 2. their events are inserted, in stream id order (two groups racing on the same streams then
//    meet in the same order instead of deadlocking); a writer that committed one of those
//    versions after the snapshot makes the insert fail on the unique (stream_id, stream_version)
//    key, which rolls the whole statement back: the caller re-runs each command alone;
// 3. their idempotency keys are claimed with the result a retry replays (a key already there
//    raises 23505 as well) and their vault entries stored.
// The relay's NOTIFY is sent after the commit, not here (see ../relayWaker.ts).
const APPEND_GROUP = `
  with cmd as materialized (
    select c.*, ${headOf('c.stream_id')} as head from unnest($1::int[], $2::text[], $3::int[], $4::int[]) as c(idx, stream_id, expected, next)
  ), stale as (
    select g.cmd, array_agg(g.stream_id) as ids
    from unnest($17::int[], $18::text[], $19::int[]) as g(cmd, stream_id, version)
    where ${headOf('g.stream_id')} <> g.version
    group by g.cmd
  ), won as (
    select c.idx, c.stream_id, c.next from cmd c where c.head = c.expected and not exists (select 1 from stale where stale.cmd = c.idx)
  ), inserted as (
    insert into events ${EVENT_COLUMNS_TARGET}
    select e.event_id, w.stream_id, e.stream_version, e.type, e.version, e.data, e.metadata, e.source, e.correlation_id, e.causation_id, e.traceparent, e.occurred_at
    from unnest($5::int[], $6::uuid[], $7::int[], $8::text[], $9::int[], $10::jsonb[], $11::jsonb[], $12::text[], $13::text[], $14::text[], $15::text[], $16::timestamptz[])
      as e(cmd, event_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)
    join won w on w.idx = e.cmd
    order by w.stream_id, e.stream_version
    returning stream_id, transaction_id::text || '.' || global_position::text as position, global_position
  ), last as (
    select distinct on (stream_id) stream_id, position from inserted order by stream_id, global_position desc
  ), keyed as (
    insert into idempotency_keys (key, request_hash, result)
    select k.key, k.hash, jsonb_build_object('streamId', w.stream_id, 'streamVersion', w.next, 'position', l.position, 'appended', '[]'::jsonb)
    from unnest($20::int[], $21::text[], $22::text[]) as k(cmd, key, hash)
    join won w on w.idx = k.cmd join last l on l.stream_id = w.stream_id
  ), vaulted as (
    insert into sandbox_payment_methods (ref, token)
    select v.ref, v.token from unnest($23::int[], $24::text[], $25::text[]) as v(cmd, ref, token) join won w on w.idx = v.cmd
  )
  select c.idx, c.head,
    coalesce((select ids from stale where stale.cmd = c.idx), '{}') as stale,
    array(select i.position from inserted i where i.stream_id = c.stream_id order by i.global_position) as positions
  from cmd c order by c.idx`;

/** Errors after which the group was rolled back because of one (unknown) member: re-run each alone. */
const RETRY_ALONE_CODES = new Set([
  '23505', // unique violation: a version taken by a writer that committed after the snapshot, or an idempotency key already claimed
  '40P01', // deadlock with another process's group or command on the same streams
  '40001', // serialization failure
]);

function groupParams(commands: readonly GroupedAppend[]): unknown[] {
  const cmd: [number[], string[], number[], number[]] = [[], [], [], []];
  const ev: unknown[][] = Array.from({ length: 12 }, () => []);
  const guard: [number[], string[], number[]] = [[], [], []];
  const key: [number[], string[], string[]] = [[], [], []];
  const vault: [number[], string[], string[]] = [[], [], []];
  commands.forEach((c, idx) => {
    cmd[0].push(idx); cmd[1].push(c.streamId); cmd[2].push(c.expectedVersion); cmd[3].push(c.expectedVersion + c.events.length);
    c.events.forEach((e, i) => {
      const row = [idx, e.eventId, c.expectedVersion + i + 1, e.type, e.version, JSON.stringify(e.data), JSON.stringify(e.metadata), e.source, e.correlationId, e.causationId, e.traceparent, e.occurredAt];
      row.forEach((v, col) => ev[col]?.push(v));
    });
    for (const g of c.options?.guards ?? []) { guard[0].push(idx); guard[1].push(g.streamId); guard[2].push(g.version); }
    const k = c.options?.idempotency;
    if (k) { key[0].push(idx); key[1].push(k.key); key[2].push(k.requestHash); }
    const v = c.options?.vaultEntry;
    if (v) { vault[0].push(idx); vault[1].push(v.ref); vault[2].push(v.token); }
  });
  return [...cmd, ...ev, ...guard, ...key, ...vault];
}

/**
 * Appends the events of several commands, each to its own stream, in ONE statement (one implicit
 * transaction, one commit): each command keeps its own guards, its own optimistic concurrency check
 * and its own idempotency claim, and one command's conflict or stale guard never stops another.
 * Streams must be distinct and every command must carry events (the caller, `groupCommit.ts`,
 * ensures both); idempotency keys must be distinct too. It does not NOTIFY the relay.
 * @returns one result per command in input order, or `RETRY_ALONE` (nothing written) when the
 *   statement was rolled back for a reason owned by an unknown member (a version taken after the
 *   snapshot, a key taken, a deadlock).
 * @throws the driver's error for anything else (nothing is known to be written or not: as for a
 *   single append, e.g. a connection lost during the commit).
 */
export async function appendGroup(db: pg.Pool | pg.ClientBase, commands: readonly GroupedAppend[]): Promise<AppendGroupResult> {
  let rows: { idx: number; head: number; stale: string[]; positions: string[] }[];
  try {
    ({ rows } = await db.query<{ idx: number; head: number; stale: string[]; positions: string[] }>({ name: 'orderflow_append_group', text: APPEND_GROUP, values: groupParams(commands) }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== undefined && RETRY_ALONE_CODES.has(code)) return { ok: false, reason: 'RETRY_ALONE', code };
    throw err;
  }
  const results = commands.map((c, i): AtomicAppendResult => {
    const row = rows[i];
    if (row && row.stale.length > 0) return { ok: false, reason: 'STALE_GUARD', stale: row.stale };
    if (!row || row.positions.length === 0) return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: c.expectedVersion, actual: row?.head ?? null };
    return { ok: true, streamVersion: c.expectedVersion + c.events.length, positions: row.positions.map(parsePosition) };
  });
  return { ok: true, results };
}
