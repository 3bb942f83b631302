import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db, type Document } from 'mongodb';
import type { AddOp, BucketSpec, ShardedView, WriteOp } from '../projections/index.ts';
import type { ViewNames } from './generations.ts';
import { applyAdds } from './shards.ts';
import { MAX_UPDATES_PER_COMMAND, withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;

/** What one apply touched: per logical view, the document ids (for "view changed" notifications). */
export type TouchedKeys = Map<string, Set<string>>;

function touch(touched: TouchedKeys, view: string, id: unknown): void {
  if (id === undefined || id === null || typeof id === 'object') return;
  const set = touched.get(view) ?? new Set<string>();
  set.add(String(id));
  touched.set(view, set);
}

function toBulk(op: Exclude<WriteOp, { kind: 'recompute' | 'recomputeFromEntries' | 'add' }>): AnyBulkWriteOperation<Document> {
  if (op.kind === 'insert') return { insertOne: { document: op.doc } };
  if (op.many) return { updateMany: { filter: op.filter, update: op.update } };
  return { updateOne: { filter: op.filter, update: op.update, upsert: op.upsert ?? false } };
}

/** A doc key for ordering: two writes to the same doc never go in the same unordered bulk. */
function docKey(op: Exclude<WriteOp, { kind: 'recompute' | 'recomputeFromEntries' | 'add' }>): string | undefined {
  if (op.kind === 'insert') return `${op.view}/${String(op.doc._id)}`;
  if (op.many) return undefined; // updateMany: a barrier
  return `${op.view}/${String(op.filter._id)}`;
}

/**
 * Splits a bulk so each command carries at most {@link MAX_UPDATES_PER_COMMAND} single-document
 * updates (FerretDB 1.x wedges on large update commands: see `updateBudget.ts`). Pure.
 */
export function chunkBulk(ops: readonly AnyBulkWriteOperation<Document>[], maxUpdates = MAX_UPDATES_PER_COMMAND): AnyBulkWriteOperation<Document>[][] {
  const chunks: AnyBulkWriteOperation<Document>[][] = [];
  let chunk: AnyBulkWriteOperation<Document>[] = [];
  let updates = 0;
  for (const op of ops) {
    const single = isSingleUpdate(op);
    if (single && updates >= maxUpdates) {
      chunks.push(chunk);
      chunk = [];
      updates = 0;
    }
    chunk.push(op);
    if (single) updates++;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Number of single-document update statements in a bulk. */
export function singleUpdates(ops: readonly AnyBulkWriteOperation<Document>[]): number {
  return ops.filter(isSingleUpdate).length;
}

function isSingleUpdate(op: AnyBulkWriteOperation<Document>): boolean {
  return 'updateOne' in op || 'replaceOne' in op || 'deleteOne' in op;
}

/**
 * The guarded upserts of `chunk` that failed with duplicate key, when every failure of the bulk is
 * a duplicate key (else undefined: a real failure). Plain inserts that collide were already applied.
 */
function duplicateUpserts(err: unknown, chunk: readonly AnyBulkWriteOperation<Document>[]): AnyBulkWriteOperation<Document>[] | undefined {
  if (!(err instanceof MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (errors.length === 0 || !errors.every((e) => e.code === DUPLICATE_KEY)) return undefined;
  return errors.flatMap((e) => {
    const op = chunk[e.index];
    return op && 'updateOne' in op && op.updateOne.upsert === true ? [op] : [];
  });
}

/**
 * Runs one unordered bulk (in small commands); duplicate-key failures are guarded writes that were
 * already applied. Except for one race: two upserts of a document that does not exist yet both try
 * to insert it, and the loser fails with duplicate key although its guard (`v < n`, `revision < r`)
 * may hold against the winner's. MongoDB retries such an upsert itself; FerretDB 1.x does not (the
 * chaos run saw revenue_by_day and sales_by_product drift by it). So each upsert that failed so is
 * sent once more, now against the existing document: a duplicate key then really means "newer stored".
 */
async function runBulk(db: Db, names: ViewNames, view: string, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
  for (const chunk of chunkBulk(ops)) {
    try {
      await withUpdateBudget(singleUpdates(chunk), () => db.collection(names(view)).bulkWrite(chunk, { ordered: false }));
    } catch (err) {
      const again = duplicateUpserts(err, chunk);
      if (again === undefined) throw err;
      if (again.length === 0) continue;
      try {
        await withUpdateBudget(again.length, () => db.collection(names(view)).bulkWrite(again, { ordered: false }));
      } catch (retryErr) {
        if (duplicateUpserts(retryErr, again) === undefined) throw retryErr;
      }
    }
  }
}

/**
 * Applies a batch of write ops in order semantics: consecutive ops on distinct documents go out as
 * one unordered `bulkWrite` per view; a second write to the same document starts a new round, so a
 * stream's events land in version order. Bucket recomputes run last, once per bucket; `add` ops
 * of a sharded view after the document writes (their `via` lookups read what the batch wrote).
 * Every op is idempotent (version and position guards), so re-applying a batch after a failure is safe.
 */
export async function applyOps(db: Db, names: ViewNames, ops: readonly WriteOp[], buckets: BucketSpec | undefined, sharded?: ShardedView, opts: { drain?: boolean } = {}): Promise<TouchedKeys> {
  const touched: TouchedKeys = new Map();
  const adds: AddOp[] = [];
  const recomputeKeys = new Map<string, Record<string, unknown>>();
  const fromEntries: Record<string, unknown>[] = [];
  let round = new Map<string, AnyBulkWriteOperation<Document>[]>();
  let keys = new Set<string>();
  const flush = async () => {
    await Promise.all([...round].map(([view, bulk]) => runBulk(db, names, view, bulk)));
    round = new Map();
    keys = new Set();
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
    const key = docKey(op);
    if (key === undefined || keys.has(key)) await flush();
    if (key !== undefined) keys.add(key);
    round.set(op.view, [...(round.get(op.view) ?? []), toBulk(op)]);
    touch(touched, op.view, op.kind === 'insert' ? op.doc._id : op.filter._id);
    if (key === undefined) await flush();
  }
  await flush();
  if (adds.length > 0) {
    if (!sharded) throw new Error(`add ops on ${adds[0]?.view ?? '?'}, which is not a sharded view`);
    for (const id of await applyAdds(db, names, sharded, adds, opts)) touch(touched, sharded.view, id);
  }
  if (buckets) {
    for (const filter of fromEntries) {
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
  const entries = await db.collection(names(spec.entriesView)).find(spec.entryFilter(key)).toArray();
  const { doc, revision } = spec.recompute(key, entries);
  const { _id, ...rest } = doc;
  const write = () => db.collection<{ _id: string }>(names(spec.view)).updateOne({ _id, revision: { $lt: revision } }, { $set: { ...rest, revision } }, { upsert: true });
  const isDuplicate = (err: unknown) => (err as { code?: number }).code === DUPLICATE_KEY;
  try {
    await write();
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    // A newer (or equal) revision is stored, or a racing first insert won (see runBulk): once more
    // against the stored document tells them apart.
    await write().catch((again: unknown) => {
      if (!isDuplicate(again)) throw again;
    });
  }
  return _id;
}
