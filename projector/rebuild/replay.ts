import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import { applyOps, chunkBulk, singleUpdates } from '../mongo/applyOps.ts';
import { namesFor, physicalName } from '../mongo/generations.ts';
import { withUpdateBudget } from '../mongo/updateBudget.ts';
import { InvalidUpdateError, UnsupportedOperationError } from '../memory/documentOps.ts';
import type { MemoryViews, ViewChanges } from '../memory/memoryViews.ts';
import { createStreamingFold, type StreamingFold } from '../memory/streamingFold.ts';
import { stampAdds, stampRanks, type Projection, type WriteOp } from '../projections/index.ts';
import { liveShardOf } from '../runner/liveShard.ts';
import { LOG_START, type EventLogSource, type LoggedEvent } from '../../contracts/index.ts';
import { createFlushWriter, type FlushSink } from './flushWriter.ts';
import { mongoFoldStore, rememberGeneration } from './foldStore.ts';

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
  /** The fold so far (pass the previous result's `fold` to continue a replay, e.g. the catch-up). @default a new one */
  fold?: StreamingFold;
  /** Replay events after this position. @default LOG_START */
  from?: string;
  /**
   * Events already in the generation (a resumed replay: the killed run's flushed count). Seeds the
   * fold's filter from the generation's documents and numbers events from here. @default 0
   */
  resumedEvents?: number;
  /** Events per read. @default 5000 */
  batchSize?: number;
  /** Partitions of the event topics: a ranked member's list shard is its stream's partition. @default 6 */
  partitions?: number;
  /**
   * The fold's window: documents untouched for this many events are written (flushes run after each
   * batch that brings a quarter of it, in the background, overlapping the next reads), younger ones
   * are kept for a later flush. @default 10000
   */
  flushEveryEvents?: number;
  /**
   * Insert commands in flight at once while flushing (see `createFlushWriter`). More than one helps
   * only a store with spare capacity: on the shared 2-core box FerretDB took 42% more docs/s raw at 2
   * than at 1, but the replay gained nothing measurable (its reads and fold compete for the same
   * cores), so the default stays 1. @default 1
   */
  insertConcurrency?: number;
  /** After every batch, with the running totals of this call. */
  onBatch?(p: { events: number; position: string }): void | Promise<void>;
  /**
   * After each flush is written: every event up to `position` (`events` of them since the log's start,
   * resumed ones included) is in the generation. A killed replay resumes from there.
   */
  onFlush?(p: { position: string; events: number; documents: number }): void | Promise<void>;
  signal?: AbortSignal;
}

/** Result of {@link replayIntoGeneration}. */
export interface ReplayResult {
  fold: StreamingFold;
  /** Position of the last event read (the `from` given when nothing was read). */
  position: string;
  /** Events read by this call. */
  events: number;
  /** Store reads for documents the fold had forgotten (Bloom filter hits). */
  storeReads: number;
  /** Time the replay waited for flushes to reach the store (near the replay's duration: the store is the bound). */
  storeWaitMs: number;
}

/** A replay must not be mistaken for a broken projection when the store is what failed. */
const isEvaluationError = (err: unknown) => err instanceof UnsupportedOperationError || err instanceof InvalidUpdateError;

function describeEvent(e: LoggedEvent) {
  const { eventId, streamId, streamVersion, type } = e.envelope;
  return { eventId, streamId, streamVersion, type, position: e.position };
}

/** Positions of the events since the last flushed one, by sequence number. */
class PositionWindow {
  private readonly positions: string[] = [];
  private base: number;
  constructor(private before: string, firstSeq: number) {
    this.base = firstSeq;
  }

  push(position: string): void {
    this.positions.push(position);
  }

  /** Position of event `seq` (the position before the window for older ones), dropping older ones. */
  take(seq: number): string {
    const drop = Math.min(Math.max(seq - this.base + 1, 0), this.positions.length);
    if (drop > 0) {
      this.before = this.positions[drop - 1] ?? this.before;
      this.positions.splice(0, drop);
      this.base += drop;
    }
    return this.before;
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
  const writer = createFlushWriter(mongoFlushSink(db, generation), { insertConcurrency: 1 });
  try {
    return await writer.write(changes);
  } finally {
    await writer.idle();
  }
}

/** A generation's collections as a {@link FlushSink}: unordered `insertMany`, whole-document replaces by `_id` in small commands. */
function mongoFlushSink(db: Db, generation: number): FlushSink {
  const coll = (view: string) => db.collection(physicalName(view, generation));
  return {
    async insert(view, docs) {
      await coll(view).insertMany(docs, { ordered: false });
    },
    async replace(view, docs) {
      const replaces: AnyBulkWriteOperation<Document>[] = docs.map((doc) => ({ replaceOne: { filter: { _id: doc['_id'] } as Filter<Document>, replacement: doc } }));
      const c = coll(view);
      await Promise.all(chunkBulk(replaces).map((chunk) => withUpdateBudget(singleUpdates(chunk), () => c.bulkWrite(chunk, { ordered: false }))));
    },
  };
}

/** Flushes queued and not yet written at once, at most: bounds the memory a store slower than the fold holds. */
export const MAX_PENDING_FLUSHES = 2;

/**
 * Replays the event log after `from` into a generation at full speed with bounded memory: reads large
 * batches of the projection's event types gap-safely (the next read overlaps the fold of the current
 * one), folds them with a {@link StreamingFold} (the same guarded semantics as the live adapter) and,
 * after every batch that brings at least a quarter of `flushEveryEvents`, writes the finished documents
 * (by `insertMany`, the store's fast path) through a {@link createFlushWriter flush writer}: up to
 * {@link MAX_PENDING_FLUSHES} flushes queued (with `insertConcurrency` > 1 the next one's inserts
 * overlap the current one's), so the store does not wait for the replay to select what comes next. Documents are forgotten only once
 * the flush that wrote them is in the store. The rest is written at the end. Reads until an empty batch
 * (the live tail).
 * @throws ReplayProjectionError when the projection throws; the abort reason when `signal` aborts.
 */
export async function replayIntoGeneration(opts: ReplayOptions): Promise<ReplayResult> {
  const { source, db, projection, generation, signal } = opts;
  const batchSize = opts.batchSize ?? 5000;
  const flushEvery = opts.flushEveryEvents ?? 10_000;
  // Flushing only every `flushEvery` events left the store idle for two windows at the start (the
  // first flush finds nothing finished yet) and wrote each window's documents a window late.
  const flushPeriod = Math.max(1, Math.ceil(flushEvery / 4));
  let position = opts.from ?? LOG_START;
  let fold = opts.fold;
  if (!fold) {
    fold = createStreamingFold(projection, mongoFoldStore(db, generation), { window: flushEvery, startSeq: opts.resumedEvents ?? 0, partitions: opts.partitions });
    if ((opts.resumedEvents ?? 0) > 0) await rememberGeneration(fold, db, projection, generation);
  }
  const active = fold;
  const readsBefore = active.storeReads;
  let seq = active.seq;
  const window = new PositionWindow(position, seq + 1);
  let events = 0;
  let sinceFlush = 0;
  let storeWaitMs = 0;
  const read = (after: string) => source.readAll(after, batchSize, projection.handles);
  let next = read(position);
  const writer = createFlushWriter(mongoFlushSink(db, generation), { insertConcurrency: opts.insertConcurrency ?? 1 });
  /** Flushes queued and not yet in the store (with their progress reported), oldest first. */
  const pending: Promise<void>[] = [];
  /** The sequence number each flush was taken at, for the eviction of what it wrote. */
  let writtenSeq = seq;
  let reported: Promise<void> = Promise.resolve();
  const waitForStore = async (p: Promise<unknown>) => {
    const w0 = performance.now();
    try {
      await p;
    } finally {
      storeWaitMs += performance.now() - w0;
    }
  };
  /** Selects (now) and queues the writing of a flush. */
  const flush = async (all: boolean): Promise<void> => {
    const takenAt = seq;
    const f = await active.takeFlush(seq, { all });
    const flushed = { position: window.take(f.flushedSeq), events: f.flushedSeq, documents: f.documents };
    const written = writer.write(f.changes);
    // Progress in order, each after its own flush (and every earlier one) is in the store.
    const done = Promise.all([written, reported]).then(async () => {
      writtenSeq = takenAt;
      await opts.onFlush?.(flushed);
    });
    reported = done;
    done.catch(() => undefined); // awaited through `pending`; never an unhandled rejection meanwhile
    pending.push(done);
  };
  try {
    for (;;) {
      signal?.throwIfAborted();
      const batch = await next;
      const last = batch.at(-1);
      if (!last) break;
      position = last.position;
      next = read(position);
      for (const e of batch) {
        seq++;
        window.push(e.position);
        if (!projection.handles.includes(e.envelope.type)) continue;
        let ops: WriteOp[];
        try {
          // The fold is the rebuild's base: one shard per bucket, holding every event up to its position.
          ops = stampAdds(projection.project(e.envelope), { shard: 'base', position: e.position });
        } catch (cause) {
          throw new ReplayProjectionError(describeEvent(e), cause);
        }
        try {
          const reading = active.apply(ops, seq);
          if (reading) await reading;
        } catch (cause) {
          if (isEvaluationError(cause)) throw new ReplayProjectionError(describeEvent(e), cause);
          throw cause;
        }
      }
      events += batch.length;
      sinceFlush += batch.length;
      if (sinceFlush >= flushPeriod) {
        while (pending.length >= MAX_PENDING_FLUSHES) await waitForStore(pending.shift() ?? Promise.resolve());
        // Only what the flushes in the store wrote: a document a queued flush holds must stay in memory
        // (every document that flush took was touched after `writtenSeq - window`, so it is kept).
        active.evict(writtenSeq);
        await flush(false);
        sinceFlush = 0;
      }
      await opts.onBatch?.({ events, position });
    }
    await flush(true);
    while (pending.length > 0) await waitForStore(pending.shift() ?? Promise.resolve());
    return { fold: active, position, events, storeReads: active.storeReads - readsBefore, storeWaitMs };
  } finally {
    next.catch(() => undefined); // a read ahead we no longer need must not become an unhandled rejection
    // No write may outlive the replay: an abort's cleanup drops the generation, and an insert still in
    // flight would create its collection again (a leftover generation after an aborted rebuild).
    await writer.idle();
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
        return stampRanks(stampAdds(projection.project(e.envelope), { shard: liveShardOf(e.envelope.type, e.envelope.streamId, opts.partitions ?? 6), position: e.position }), e.position);
      } catch (cause) {
        const { eventId, streamId, streamVersion, type } = e.envelope;
        throw new ReplayProjectionError({ eventId, streamId, streamVersion, type, position: e.position }, cause);
      }
    });
    await applyOps(db, names, ops, projection.buckets, projection.sharded, { drain: true, ranked: projection.ranked, partitions: opts.partitions ?? 6 });
    position = last.position;
    events += batch.length;
  }
}
