import type pg from 'pg';
import type { AppendResult, NewEvent } from './sql/appendToStream.ts';
import { appendToStreamAtomic, type AtomicAppendOptions, type AtomicAppendResult, type StreamGuard } from './sql/appendToStreamAtomic.ts';
import { createRelayWaker } from './relayWaker.ts';
import { readAll } from './sql/readAll.ts';
import { readStream, type ReadStreamBound } from './sql/readStream.ts';
import type { StoredEvent } from './sql/storedEvent.ts';
import type { LogPosition } from '../../contracts/index.ts';

export type { AppendResult, AtomicAppendOptions, AtomicAppendResult, NewEvent, StreamGuard, ReadStreamBound, StoredEvent, LogPosition };

/** The Postgres event store: a thin, typed face over the SQL files in `sql/`. */
export interface EventStore {
  readonly pool: pg.Pool;
  /** Reads one stream in version order, optionally as of a version or a moment. */
  readStream(streamId: string, bound?: ReadStreamBound): Promise<StoredEvent[]>;
  /** Reads the global log after a position, gap-safely (see `sql/readAll.ts`). */
  readAll(after: LogPosition, limit: number): Promise<StoredEvent[]>;
  /**
   * Appends in one statement with optimistic concurrency; the guards' versions, the idempotency
   * key and its result ride in the same statement (see `sql/appendToStreamAtomic.ts`); the relay is
   * woken after the commit (`relayWaker.ts`).
   */
  append(streamId: string, expectedVersion: number, events: NewEvent[], options?: AtomicAppendOptions): Promise<AtomicAppendResult>;
}

/** Creates the event store over a pool (migrations are applied separately by `migrate`). */
export function createEventStore(pool: pg.Pool): EventStore {
  const waker = createRelayWaker(pool);
  return {
    pool,
    readStream: (streamId, bound) => readStream(pool, streamId, bound),
    readAll: (after, limit) => readAll(pool, after, limit),
    async append(streamId, expectedVersion, events, options) {
      const result = await appendToStreamAtomic(pool, streamId, expectedVersion, events, options);
      if (result.ok && result.positions.length > 0) waker.poke();
      return result;
    },
  };
}
