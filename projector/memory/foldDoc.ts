import type { WriteOp } from '../projections/index.ts';
import { applyUpdate, matches, storedValue, upsertSeed, UnsupportedOperationError, type Doc } from './documentOps.ts';

/** A write op aimed at exactly one document (an insert, or a single-document update). */
export type DocOp = Extract<WriteOp, { kind: 'insert' }> | (Extract<WriteOp, { kind: 'update' }> & { many?: false | undefined });

/**
 * Applies one document's write ops, in order, to what the store holds for it (`undefined`: no such
 * document), exactly as the store would evaluate them one by one: an insert of an existing `_id` is
 * a no-op (duplicate key), an update applies only when its filter (the version guard) matches, a
 * guarded upsert creates the document only when there is none. Pure: `current` is not modified.
 * Returns the resulting document (`undefined` when there still is none).
 * @throws UnsupportedOperationError / InvalidUpdateError when an op is outside the in-memory subset
 * or would be rejected by the store.
 */
export function foldDocOps(current: Doc | undefined, ops: readonly DocOp[]): Doc | undefined {
  let doc = current === undefined ? undefined : (storedValue(current) as Doc);
  for (const op of ops) {
    if (op.kind === 'insert') {
      if (doc === undefined) doc = storedValue(op.doc) as Doc;
      continue;
    }
    if (doc !== undefined) {
      if (matches(doc, op.filter)) applyUpdate(doc, op.update, false);
      continue;
    }
    if (!op.upsert) continue;
    const seed = upsertSeed(op.filter);
    if (seed['_id'] === undefined) throw new UnsupportedOperationError('an upsert without _id in its filter would get a random id');
    const fresh: Doc = { _id: seed['_id'], ...seed };
    applyUpdate(fresh, op.update, true);
    doc = fresh;
  }
  return doc;
}

/** The `_id` a single-document op targets (`undefined` when its filter names none exactly). */
export function targetId(op: DocOp): unknown {
  const id = op.kind === 'insert' ? op.doc['_id'] : op.filter['_id'];
  return typeof id === 'object' && id !== null ? undefined : id;
}
