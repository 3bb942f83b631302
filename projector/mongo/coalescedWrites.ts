import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db, type Document, type Filter } from 'mongodb';
import { valuesEqual, type Doc } from '../memory/documentOps.ts';
import { foldDocOps, type DocOp } from '../memory/foldDoc.ts';
import { chunkBulk, singleUpdates } from './bulkChunks.ts';
import { planCoalesced, type DocGroup } from './coalescePlan.ts';
import { countStoreCommands } from './commandMetrics.ts';
import type { ViewNames } from './generations.ts';
import { withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;
/** Documents per `insertMany` command. */
const INSERT_CHUNK = 2000;
/** Point reads in flight at once (FerretDB answers ~700 findOne/s from 16 clients, no more from more). */
const READ_CONCURRENCY = 16;

/**
 * A coalesced write lost a race: the document changed between its read and its guarded write (a
 * second writer of the same document, e.g. a rebuild's drain next to the live projector). Transient:
 * the batch is retried, and every write is idempotent.
 */
export class CoalesceConflictError extends Error {
  override readonly name = 'CoalesceConflictError';
  readonly code = 'COALESCE_CONFLICT';
  readonly retriable = true;
  constructor(readonly view: string, readonly ids: readonly unknown[]) {
    super(`${view}: ${ids.length} document(s) changed between their read and their guarded write; retrying the batch`);
  }
}

const isDuplicateOnly = (err: unknown): err is MongoBulkWriteError => {
  if (!(err instanceof MongoBulkWriteError)) return false;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
};

const writeErrorIndexes = (err: MongoBulkWriteError): number[] =>
  (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).map((e) => e.index);

/** One unordered bulk command; false when a statement failed with a duplicate key (a guarded write already applied). */
async function bulkOnce(db: Db, names: ViewNames, view: string, chunk: AnyBulkWriteOperation<Document>[]): Promise<boolean> {
  countStoreCommands(view);
  try {
    await withUpdateBudget(singleUpdates(chunk), () => db.collection(names(view)).bulkWrite(chunk, { ordered: false }));
    return true;
  } catch (err) {
    if (!isDuplicateOnly(err)) throw err;
    return false;
  }
}

/**
 * Runs one unordered bulk in small commands; duplicate keys are guarded writes already applied.
 * FerretDB 1.x ends an update command at its first failing statement even when unordered (and
 * reports a wrong index), so after a duplicate key the command's statements are re-sent one by one:
 * each is guarded, re-sending one that ran changes nothing, and one that never ran is not lost (a
 * redelivered OrderPlaced once cost the next order its sales document).
 */
export async function runBulk(db: Db, names: ViewNames, view: string, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
  for (const chunk of chunkBulk(ops)) {
    if (await bulkOnce(db, names, view, chunk) || chunk.length === 1) continue;
    for (const op of chunk) await bulkOnce(db, names, view, [op]);
  }
}

function toBulk(op: DocOp): AnyBulkWriteOperation<Document> {
  if (op.kind === 'insert') return { insertOne: { document: op.doc } };
  return { updateOne: { filter: op.filter, update: op.update, upsert: op.upsert ?? false } };
}

/** Inserts new documents; returns the indexes of those that already existed (duplicate key). */
async function insertNew(db: Db, names: ViewNames, view: string, docs: readonly Doc[]): Promise<number[]> {
  const existed: number[] = [];
  for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
    const chunk = docs.slice(i, i + INSERT_CHUNK);
    countStoreCommands(view);
    try {
      await db.collection(names(view)).insertMany(chunk.map((d) => ({ ...d })), { ordered: false });
    } catch (err) {
      if (!isDuplicateOnly(err)) throw err;
      existed.push(...writeErrorIndexes(err).map((k) => i + k));
    }
  }
  return existed;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The guard of a whole-document write: the version read (`v`), or the whole document when it has none. */
function guardOf(current: Doc): Filter<Document> {
  return (typeof current['v'] === 'number' ? { _id: current['_id'], v: current['v'] } : { ...current }) as Filter<Document>;
}

/**
 * Reads each document (by `_id`, never `$in`: FerretDB 1.24 scans the collection for `$in`), folds
 * its ops over it and writes it once: an insert when it did not exist, a whole-document replace
 * guarded by the version read otherwise, nothing when the ops changed nothing (a redelivery).
 * @throws CoalesceConflictError when a guarded write matched nothing (another writer got there first).
 */
async function foldAndWrite(db: Db, names: ViewNames, view: string, groups: readonly DocGroup[]): Promise<void> {
  const coll = db.collection(names(view));
  const read = await mapLimited(groups, READ_CONCURRENCY, (g) => {
    countStoreCommands(view);
    return coll.findOne({ _id: g.id } as unknown as Filter<Document>) as Promise<Doc | null>;
  });
  const inserts: Doc[] = [];
  const replaces: { current: Doc; next: Doc }[] = [];
  groups.forEach((g, i) => {
    const current = read[i] ?? undefined;
    const next = foldDocOps(current, g.ops);
    if (next === undefined || (current !== undefined && valuesEqual(current, next))) return;
    if (current === undefined) inserts.push(next);
    else replaces.push({ current, next });
  });
  const lost = (await insertNew(db, names, view, inserts)).map((k) => inserts[k]?.['_id']);
  const bulk: AnyBulkWriteOperation<Document>[] = replaces.map(({ current, next }) => ({ replaceOne: { filter: guardOf(current), replacement: next } }));
  const chunks = chunkBulk(bulk);
  const matched = await Promise.all(chunks.map(async (chunk) => {
    countStoreCommands(view);
    const r = await withUpdateBudget(singleUpdates(chunk), () => coll.bulkWrite(chunk, { ordered: false }));
    return r.matchedCount;
  }));
  const missed = replaces.length - matched.reduce((a, b) => a + b, 0);
  if (lost.length > 0 || missed > 0) throw new CoalesceConflictError(view, [...lost, ...(missed > 0 ? [`${missed} replaced`] : [])]);
}

/**
 * Writes a run of single-document ops (no barrier inside) with each touched document written at most
 * once: ops are folded per document in memory ({@link planCoalesced}); new documents go out as
 * `insertMany`, lone ops as they are (bulks of at most 8 updates, see `updateBudget.ts`), documents
 * touched several times as one read and one version-guarded replace. Views are written in parallel.
 * Idempotent: re-running it after any failure converges to the same documents.
 * @throws CoalesceConflictError (transient) when a concurrent writer changed a document meanwhile.
 */
export async function writeCoalesced(db: Db, names: ViewNames, ops: readonly DocOp[]): Promise<void> {
  const byView = new Map<string, ReturnType<typeof planCoalesced>>();
  for (const w of planCoalesced(ops)) byView.set(w.group.view, [...(byView.get(w.group.view) ?? []), w]);
  await Promise.all([...byView].map(async ([view, plan]) => {
    const inserts = plan.flatMap((w) => (w.kind === 'insert' ? [w] : []));
    const direct = plan.flatMap((w) => (w.kind === 'direct' ? [toBulk(w.op)] : []));
    const folds = plan.flatMap((w) => (w.kind === 'fold' ? [w.group] : []));
    const [existed] = await Promise.all([
      insertNew(db, names, view, inserts.map((w) => w.doc)),
      direct.length > 0 ? runBulk(db, names, view, direct) : undefined,
    ]);
    const again = existed.flatMap((k) => inserts[k]?.group ?? []);
    if (folds.length + again.length > 0) await foldAndWrite(db, names, view, [...folds, ...again]);
  }));
}
