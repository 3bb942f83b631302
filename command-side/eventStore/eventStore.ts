import type pg from 'pg';
import { appendToStream, type AppendResult, type NewEvent } from './sql/appendToStream.ts';
import { appendToStreamAtomic } from './sql/appendToStreamAtomic.ts';
import { readAll } from './sql/readAll.ts';
import { readStream, type ReadStreamBound } from './sql/readStream.ts';
import type { StoredEvent } from './sql/storedEvent.ts';
import type { LogPosition } from '../../contracts/index.ts';

export type { AppendResult, NewEvent, ReadStreamBound, StoredEvent, LogPosition };

/** The Postgres event store: a thin, typed face over the SQL files in `sql/`. */
export interface EventStore {
  readonly pool: pg.Pool;
  /** Reads one stream in version order, optionally as of a version or a moment. */
  readStream(streamId: string, bound?: ReadStreamBound): Promise<StoredEvent[]>;
  /** Reads the global log after a position, gap-safely (see `sql/readAll.ts`). */
  readAll(after: LogPosition, limit: number): Promise<StoredEvent[]>;
  /**
   * Appends in its own transaction with optimistic concurrency, running `inTransaction` first
   * (idempotency claims) and then after the append; `inTransaction` returning false rolls back.
   */
  append(streamId: string, expectedVersion: number, events: NewEvent[], hooks?: AppendHooks): Promise<AppendResult | { ok: false; reason: 'ABORTED' }>;
}

/** Work that must commit or roll back together with an append. */
export interface AppendHooks {
  before?(client: pg.ClientBase): Promise<boolean>;
  after?(client: pg.ClientBase, result: AppendResult & { ok: true }): Promise<void>;
}

/** Creates the event store over a pool (migrations are applied separately by `migrate`). */
export function createEventStore(pool: pg.Pool): EventStore {
  return {
    pool,
    readStream: (streamId, bound) => readStream(pool, streamId, bound),
    readAll: (after, limit) => readAll(pool, after, limit),
    async append(streamId, expectedVersion, events, hooks = {}) {
      // Nothing else to commit with it: one statement, one round trip.
      if (!hooks.before && !hooks.after) return appendToStreamAtomic(pool, streamId, expectedVersion, events);
      const client = await pool.connect();
      try {
        await client.query('begin');
        if (hooks.before && !(await hooks.before(client))) {
          await client.query('rollback');
          return { ok: false, reason: 'ABORTED' };
        }
        const result = await appendToStream(client, streamId, expectedVersion, events);
        if (!result.ok) {
          await client.query('rollback');
          return result;
        }
        await hooks.after?.(client, result);
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
