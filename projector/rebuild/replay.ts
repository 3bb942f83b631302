import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import { applyOps, chunkBulk, singleUpdates } from '../mongo/applyOps.ts';
import { namesFor, physicalName } from '../mongo/generations.ts';
import { withUpdateBudget } from '../mongo/updateBudget.ts';
import { createMemoryViews, type MemoryViews, type ViewChanges } from '../memory/memoryViews.ts';
import { stampAdds, type Projection } from '../projections/index.ts';
import { liveShardOf } from '../runner/liveShard.ts';
import { LOG_START, type EventLogSource, type LoggedEvent } from '../../contracts/index.ts';

/** The projection threw for a stored event during a replay: the rebuild stops there (fix the code, run again). */
export class ReplayProjectionError extends Error {
  override readonly name = 'ReplayProjectionError';
  readonly code = 'PROJECTION_FAILED';
  readonly retriable = false;
  constructor(
    readonly event: { eventId: string; streamId: string; streamVersion: number; type: string; position: string },
    override readonly cause: unknown,
  ) {
    super(`projection failed on ${event.type} ${event.streamId}@${event.streamVersion} (event ${event.eventId}, position ${event.position}): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Options of {@link replayIntoGeneration}. */
export interface ReplayOptions {
  source: EventLogSource;
  db: Db;
  projection: Projection;
  /** The (shadow) generation written; nothing else may write to it meanwhile. */
  generation: number;
  /** Documents folded so far (pass the same instance to continue a replay). @default empty */
  views?: MemoryViews;
  /** Replay events after this position. @default LOG_START */
  from?: string;
  /** Events per read. @default 5000 */
  batchSize?: number;
  /** Write finished documents every this many events (in the background) and at the end. @default 10000 */
  flushEveryEvents?: number;
  /** After every batch (and flush), with the running totals. */
  onBatch?(p: { events: number; position: string }): void | Promise<void>;
  signal?: AbortSignal;
}

/** Result of {@link replayIntoGeneration}. */
export interface ReplayResult {
  views: MemoryViews;
  /** Position of the last event read (the `from` given when nothing was read). */
  position: string;
  events: number;
}

/** Projects one event in memory; a projection error names the event. */
function projectInto(views: MemoryViews, projection: Projection, e: LoggedEvent): void {
  if (!projection.handles.includes(e.envelope.type)) return;
  try {
    // The fold is the rebuild's base: one shard per bucket, holding every event up to its position.
    views.apply(stampAdds(projection.project(e.envelope), { shard: 'base', position: e.position }));
  } catch (cause) {
    const { eventId, streamId, streamVersion, type } = e.envelope;
    throw new ReplayProjectionError({ eventId, streamId, streamVersion, type, position: e.position }, cause);
  }
}

/**
 * Writes what changed in memory since the last flush to `generation`: new documents as unordered
 * inserts (the fast path of the view store), documents it already has as whole-document replaces by
 * `_id` (small commands, see `updateBudget.ts`). Only for a generation no one else writes.
 */
export function flushViews(db: Db, views: MemoryViews, generation: number): Promise<number> {
  return writeChanges(db, views.takeChanges(), generation);
}

async function writeChanges(db: Db, changes: readonly ViewChanges[], generation: number): Promise<number> {
  let written = 0;
  for (const change of changes) {
    const coll = db.collection(physicalName(change.view, generation));
    for (let i = 0; i < change.inserts.length; i += 2000) {
      const chunk = change.inserts.slice(i, i + 2000);
      await coll.insertMany(chunk, { ordered: false });
      written += chunk.length;
    }
    const replaces: AnyBulkWriteOperation<Document>[] = change.replaces.map((doc) => ({ replaceOne: { filter: { _id: doc['_id'] } as Filter<Document>, replacement: doc } }));
    await Promise.all(chunkBulk(replaces).map((chunk) => withUpdateBudget(singleUpdates(chunk), () => coll.bulkWrite(chunk, { ordered: false }))));
    written += replaces.length;
  }
  return written;
}

/**
 * Replays the event log after `from` into a generation at full speed: reads large batches of the
 * projection's event types gap-safely (the next read overlaps the projection of the current one), folds them in memory
 * ({@link MemoryViews}: the same guarded semantics as the live adapter) and writes finished documents
 * every `flushEveryEvents` and at the end. Reads until a batch comes back empty (the live tail).
 * @throws ReplayProjectionError when the projection throws; the abort reason when `signal` aborts.
 */
export async function replayIntoGeneration(opts: ReplayOptions): Promise<ReplayResult> {
  const { source, db, projection, generation, signal } = opts;
  const views = opts.views ?? createMemoryViews(projection);
  const batchSize = opts.batchSize ?? 5000;
  const flushEvery = opts.flushEveryEvents ?? 10_000;
  let position = opts.from ?? LOG_START;
  let events = 0;
  let sinceFlush = 0;
  const read = (after: string) => source.readAll(after, batchSize, projection.handles);
  let next = read(position);
  // One flush in flight at a time, overlapping the next reads and projections; flushes stay in order
  // (a replace must follow the insert of the same document).
  let flushing: Promise<unknown> = Promise.resolve();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const batch = await next;
      const last = batch.at(-1);
      if (!last) break;
      position = last.position;
      next = read(position);
      for (const e of batch) projectInto(views, projection, e);
      events += batch.length;
      sinceFlush += batch.length;
      if (sinceFlush >= flushEvery) {
        await flushing;
        const changes = views.takeChanges();
        flushing = writeChanges(db, changes, generation);
        sinceFlush = 0;
      }
      await opts.onBatch?.({ events, position });
    }
    await flushing;
    await flushViews(db, views, generation);
    return { views, position, events };
  } finally {
    next.catch(() => undefined); // a read ahead we no longer need must not become an unhandled rejection
    flushing.catch(() => undefined);
  }
}

/**
 * Applies the log after `from` to a generation that OTHERS ALSO WRITE (the live one, after the
 * switch) through the guarded adapter (`applyOps`): events the live projector already applied are
 * no-ops, missing ones land in stream order. Reads until an empty batch.
 * @throws ReplayProjectionError when the projection throws.
 */
export async function drainInto(opts: {
  source: EventLogSource; db: Db; projection: Projection; generation: number; from: string; batchSize?: number;
  /** Partitions of the event topics (sums land in the shard of the partition's live writer). @default 6 */
  partitions?: number;
}): Promise<{ position: string; events: number }> {
  const { source, db, projection } = opts;
  const names = namesFor(opts.generation);
  let position = opts.from;
  let events = 0;
  for (;;) {
    const batch = await source.readAll(position, opts.batchSize ?? 5000, projection.handles);
    const last = batch.at(-1);
    if (!last) return { position, events };
    const ops = batch.flatMap((e) => {
      if (!projection.handles.includes(e.envelope.type)) return [];
      try {
        return stampAdds(projection.project(e.envelope), { shard: liveShardOf(e.envelope.type, e.envelope.streamId, opts.partitions ?? 6), position: e.position });
      } catch (cause) {
        const { eventId, streamId, streamVersion, type } = e.envelope;
        throw new ReplayProjectionError({ eventId, streamId, streamVersion, type, position: e.position }, cause);
      }
    });
    await applyOps(db, names, ops, projection.buckets, projection.sharded, { drain: true, ranked: projection.ranked });
    position = last.position;
    events += batch.length;
  }
}
