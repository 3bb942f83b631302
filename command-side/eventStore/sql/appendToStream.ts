import type pg from 'pg';
import type { LogPosition } from '../../../contracts/index.ts';

/** An event ready to store: its envelope minus what the store assigns (stream version, positions). */
export interface NewEvent {
  eventId: string;
  type: string;
  version: number;
  data: unknown;
  metadata: Record<string, string>;
  source: string;
  correlationId: string;
  causationId: string | null;
  traceparent: string | null;
  occurredAt: string;
}

/** Outcome of an append: the stored positions, or why nothing was stored. */
export type AppendResult =
  | { ok: true; streamVersion: number; positions: LogPosition[] }
  | { ok: false; reason: 'WRONG_EXPECTED_VERSION'; expected: number; actual: number | null };

/** Channel the relay LISTENs on; the notification is delivered when the appending transaction commits. */
export const EVENTS_CHANNEL = 'orderflow_events';

const CLAIM_NEW_STREAM = `insert into streams (stream_id, version) values ($1, $2) on conflict do nothing returning version`;
const ADVANCE_STREAM = `update streams set version = $3, updated_at = now() where stream_id = $1 and version = $2 returning version`;
const CURRENT_VERSION = `select version from streams where stream_id = $1`;
/** `$1` = stream id, `$2..$12` = one array per column (see {@link eventParams}). */
export const EVENT_ROWS = `select e.event_id, $1, e.stream_version, e.type, e.version, e.data, e.metadata, e.source, e.correlation_id, e.causation_id, e.traceparent, e.occurred_at
  from unnest($2::uuid[], $3::int[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])
    as e(event_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)`;

/** The target columns of {@link EVENT_ROWS}. */
export const EVENT_TARGET = `events (event_id, stream_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)`;

const INSERT_EVENTS = `insert into ${EVENT_TARGET} ${EVENT_ROWS} order by e.stream_version
  returning transaction_id::text as tx, global_position::text as gp`;

/**
 * Appends events to a stream with optimistic concurrency, inside the caller's transaction.
 * `expectedVersion` 0 means "the stream must not exist". The head row in `streams` is moved
 * compare-and-set, so of N concurrent writers expecting the same version exactly one wins.
 * One multi-row INSERT stores all events; a NOTIFY wakes the relay when the transaction commits.
 */
export async function appendToStream(client: pg.ClientBase, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<AppendResult> {
  if (events.length === 0) return { ok: true, streamVersion: expectedVersion, positions: [] };
  const next = expectedVersion + events.length;
  const claimed = expectedVersion === 0
    ? await client.query(CLAIM_NEW_STREAM, [streamId, next])
    : await client.query(ADVANCE_STREAM, [streamId, expectedVersion, next]);
  if (claimed.rowCount !== 1) {
    const actual = await client.query<{ version: number }>(CURRENT_VERSION, [streamId]);
    return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: actual.rows[0]?.version ?? null };
  }
  const inserted = await client.query<{ tx: string; gp: string }>({ name: 'orderflow_insert_events', text: INSERT_EVENTS, values: eventParams(streamId, expectedVersion, events) });
  await client.query(`select pg_notify('${EVENTS_CHANNEL}', '')`);
  return {
    ok: true,
    streamVersion: next,
    positions: inserted.rows.map((r) => ({ transactionId: BigInt(r.tx), globalPosition: BigInt(r.gp) })),
  };
}

/** Statement parameters for {@link EVENT_ROWS}: the stream id, then one array per column. */
export function eventParams(streamId: string, expectedVersion: number, events: readonly NewEvent[]): unknown[] {
  const col = <T>(f: (e: NewEvent, i: number) => T) => events.map(f);
  return [
    streamId,
    col((e) => e.eventId),
    col((_, i) => expectedVersion + i + 1),
    col((e) => e.type),
    col((e) => e.version),
    col((e) => JSON.stringify(e.data)),
    col((e) => JSON.stringify(e.metadata)),
    col((e) => e.source),
    col((e) => e.correlationId),
    col((e) => e.causationId),
    col((e) => e.traceparent),
    col((e) => e.occurredAt),
  ];
}
