import type pg from 'pg';
import type { AppendResult, NewEvent } from './sql/appendToStream.ts';
import { appendToStreamAtomic, type AtomicAppendOptions, type AtomicAppendResult, type StreamGuard } from './sql/appendToStreamAtomic.ts';
import { createGroupCommitter, type GroupCommitOptions } from './groupCommit.ts';
import { createRelayWaker } from './relayWaker.ts';
import { readAll } from './sql/readAll.ts';
import { readStream, type ReadStreamBound } from './sql/readStream.ts';
import type { StoredEvent } from './sql/storedEvent.ts';
import type { LogPosition } from '../../contracts/index.ts';

export type { GroupCommitOptions, AppendResult, AtomicAppendOptions, AtomicAppendResult, NewEvent, StreamGuard, ReadStreamBound, StoredEvent, LogPosition };

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

/** Options of {@link createEventStore}. */
export interface EventStoreOptions {
  /**
   * Group commit: concurrent appends to different streams share one statement (see
   * `groupCommit.ts`). Off (each append its own statement) when absent or `maxCommands` ≤ 1.
   */
  groupCommit?: GroupCommitOptions;
}

/** Creates the event store over a pool (migrations are applied separately by `migrate`). */
export function createEventStore(pool: pg.Pool, storeOptions: EventStoreOptions = {}): EventStore {
  const waker = createRelayWaker(pool);
  const { groupCommit } = storeOptions;
  const group = groupCommit && groupCommit.maxCommands > 1 ? createGroupCommitter(pool, groupCommit) : undefined;
  return {
    pool,
    readStream: (streamId, bound) => readStream(pool, streamId, bound),
    readAll: (after, limit) => readAll(pool, after, limit),
    async append(streamId, expectedVersion, events, options) {
      const result = group && events.length > 0
        ? await group.append(streamId, expectedVersion, events, options)
        : await appendToStreamAtomic(pool, streamId, expectedVersion, events, options);
      if (result.ok && result.positions.length > 0) waker.poke();
      return result;
    },
  };
}
