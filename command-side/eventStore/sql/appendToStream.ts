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

/** The unique key on `events (stream_id, stream_version)`: a violation of it is a lost race for a version. */
export const STREAM_VERSION_KEY = 'events_stream_id_stream_version_key';

/** The insert's target columns; the append statements select their rows in this order. */
export const EVENT_COLUMNS_TARGET = '(event_id, stream_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)';

/**
 * SQL for a stream's head version (0 when it has no events) in the statement's snapshot: one
 * backward step on the unique (stream_id, stream_version) index. `stream` is an SQL expression.
 */
export function headOf(stream: string): string {
  return `coalesce((select max(h.stream_version) from events h where h.stream_id = ${stream}), 0)`;
}

/** `unnest` of the event columns after stream_id, from the 11 array parameters starting at `$first` (see {@link eventArrays}). */
export function eventArrayRows(first: number): string {
  const types = ['uuid', 'int', 'text', 'int', 'jsonb', 'jsonb', 'text', 'text', 'text', 'text', 'timestamptz'];
  return `select * from unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}

/** The columns of {@link eventArrayRows}: one array per column, versions counted from `expectedVersion`. */
export function eventArrays(expectedVersion: number, events: readonly NewEvent[]): unknown[][] {
  const col = <T>(f: (e: NewEvent, i: number) => T) => events.map(f);
  return [
    col((e) => e.eventId), col((_, i) => expectedVersion + i + 1), col((e) => e.type), col((e) => e.version),
    col((e) => JSON.stringify(e.data)), col((e) => JSON.stringify(e.metadata)), col((e) => e.source),
    col((e) => e.correlationId), col((e) => e.causationId), col((e) => e.traceparent), col((e) => e.occurredAt),
  ];
}

const INSERT_EVENTS = `insert into events ${EVENT_COLUMNS_TARGET}
  select e.event_id, $1, e.stream_version, e.type, e.version, e.data, e.metadata, e.source, e.correlation_id, e.causation_id, e.traceparent, e.occurred_at
  from (${eventArrayRows(3)}) as e(event_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)
  where ${headOf('$1')} = $2::int
  order by e.stream_version
  returning transaction_id::text as tx, global_position::text as gp`;

/**
 * Appends events to a stream with optimistic concurrency, inside the caller's transaction (tests
 * use it to hold a transaction open). `expectedVersion` 0 means "the stream must not exist". The
 * events go in only while the stream's head is the expected version; a concurrent writer that
 * commits the same version first makes the insert fail with a unique violation (the driver's
 * error: the caller's transaction is then aborted). A NOTIFY wakes the relay when it commits.
 */
export async function appendToStream(client: pg.ClientBase, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<AppendResult> {
  if (events.length === 0) return { ok: true, streamVersion: expectedVersion, positions: [] };
  const inserted = await client.query<{ tx: string; gp: string }>({ name: 'orderflow_insert_events', text: INSERT_EVENTS, values: [streamId, expectedVersion, ...eventArrays(expectedVersion, events)] });
  if (inserted.rows.length === 0) {
    const actual = await client.query<{ version: number }>(`select ${headOf('$1')} as version`, [streamId]);
    return { ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: actual.rows[0]?.version ?? null };
  }
  await client.query(`select pg_notify('${EVENTS_CHANNEL}', '')`);
  return {
    ok: true,
    streamVersion: expectedVersion + events.length,
    positions: inserted.rows.map((r) => ({ transactionId: BigInt(r.tx), globalPosition: BigInt(r.gp) })),
  };
}
