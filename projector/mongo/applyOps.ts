import type { Db } from 'mongodb';
import type { DocOp } from '../memory/foldDoc.ts';
import type { AddOp, BucketSpec, RankedView, RankOp, ShardedView, WriteOp } from '../projections/index.ts';
import { isCoalescable } from './coalescePlan.ts';
import { runBulk, writeCoalesced } from './coalescedWrites.ts';
import { countStoreCommands } from './commandMetrics.ts';
import type { ViewNames } from './generations.ts';
import { pointReads } from './pointReads.ts';
import { applyRanks } from './ranks.ts';
import { applyAdds } from './shards.ts';

const DUPLICATE_KEY = 11000;

/** What one apply touched: per logical view, the document ids (for "view changed" notifications). */
export type TouchedKeys = Map<string, Set<string>>;

function touch(touched: TouchedKeys, view: string, id: unknown): void {
  if (id === undefined || id === null || typeof id === 'object') return;
  const set = touched.get(view) ?? new Set<string>();
  set.add(String(id));
  touched.set(view, set);
}

/** Re-exported for callers that cut their own bulks (the rebuild's flush). */
export { chunkBulk, singleUpdates } from './bulkChunks.ts';

/** An `updateMany`: a barrier (every op before it lands first, every op after it later). */
async function runMany(db: Db, names: ViewNames, op: Extract<WriteOp, { kind: 'update' }>): Promise<void> {
  await runBulk(db, names, op.view, [{ updateMany: { filter: op.filter, update: op.update } }]);
}

/** Options of {@link applyOps}. */
export interface ApplyOptions {
  /** The rebuild's drain: writes a generation that still carries the hand-over marker. */
  drain?: boolean;
  /** The projection's ranked view (`rank` ops). */
  ranked?: RankedView;
  /** Partitions of the event topics: a ranked member's list shard is its stream's partition. @default 6 */
  partitions?: number;
}

/**
 * Applies a batch of write ops with the result of applying them one by one, in order, at a cost of
 * at most one write per touched document: single-document ops are folded per document in memory and
 * written once ({@link writeCoalesced}: new documents as `insertMany`, a lone op as is, several ops as
 * one read and one version-guarded replace); an op that names no document by `_id` (`updateMany`) is
 * a barrier between two such runs. Bucket recomputes run last, once per bucket; `add` ops of a sharded
 * view and `rank` ops of a ranked view after the document writes (their lookups read what the batch
 * wrote). Every op is
 * idempotent (version and position guards), so re-applying a batch after a failure is safe.
 * @throws CoalesceConflictError (transient) when another writer changed a touched document meanwhile.
 */
export async function applyOps(db: Db, names: ViewNames, ops: readonly WriteOp[], buckets: BucketSpec | undefined, sharded?: ShardedView, opts: ApplyOptions = {}): Promise<TouchedKeys> {
  const { ranked } = opts;
  const touched: TouchedKeys = new Map();
  const adds: AddOp[] = [];
  const ranks: RankOp[] = [];
  const recomputeKeys = new Map<string, Record<string, unknown>>();
  const fromEntries: Record<string, unknown>[] = [];
  let run: DocOp[] = [];
  const flush = async () => {
    if (run.length > 0) await writeCoalesced(db, names, run);
    run = [];
  };
  for (const op of ops) {
    if (op.kind === 'recompute') {
      recomputeKeys.set(JSON.stringify(op.key), op.key);
      continue;
    }
    if (op.kind === 'recomputeFromEntries') {
      fromEntries.push(op.entries);
      continue;
    }
    if (op.kind === 'add') {
      adds.push(op);
      continue;
    }
    if (op.kind === 'rank') {
      ranks.push(op);
      continue;
    }
    if (isCoalescable(op)) {
      run.push(op);
      touch(touched, op.view, op.kind === 'insert' ? op.doc._id : op.filter._id);
      continue;
    }
    if (op.kind !== 'update') continue; // not reached: every insert names its _id
    await flush();
    await runMany(db, names, op);
  }
  await flush();
  const reads = pointReads(db, names); // after the document writes: adds and ranks read what they wrote
  if (adds.length > 0) {
    if (!sharded) throw new Error(`add ops on ${adds[0]?.view ?? '?'}, which is not a sharded view`);
    for (const id of await applyAdds(db, names, sharded, adds, { ...opts, reads })) touch(touched, sharded.view, id);
  }
  if (ranks.length > 0) {
    if (!ranked) throw new Error(`rank ops on ${ranks[0]?.view ?? '?'}, which is not a ranked view`);
    for (const id of await applyRanks(db, names, ranked, ranks, reads, opts.partitions ?? 6)) touch(touched, ranked.view, id);
  }
  if (buckets) {
    for (const filter of fromEntries) {
      countStoreCommands(buckets.entriesView);
      const entries = await db.collection(names(buckets.entriesView)).find(filter).toArray();
      for (const e of entries) {
        const k = buckets.keyOfEntry(e);
        recomputeKeys.set(JSON.stringify(k), k);
      }
    }
    for (const key of recomputeKeys.values()) {
      const id = await recomputeBucket(db, names, buckets, key);
      touch(touched, buckets.view, id);
    }
  }
  return touched;
}

/** Recomputes one bucket from its entries and stores it only if its revision is newer. */
async function recomputeBucket(db: Db, names: ViewNames, spec: BucketSpec, key: Record<string, unknown>): Promise<string> {
  countStoreCommands(spec.entriesView, 2);
  const entries = await db.collection(names(spec.entriesView)).find(spec.entryFilter(key)).toArray();
  const { doc, revision } = spec.recompute(key, entries);
  const { _id, ...rest } = doc;
  try {
    await db.collection<{ _id: string }>(names(spec.view)).updateOne({ _id, revision: { $lt: revision } }, { $set: { ...rest, revision } }, { upsert: true });
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err; // a newer (or equal) revision is stored
  }
  return _id;
}
