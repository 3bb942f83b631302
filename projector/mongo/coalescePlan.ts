import { foldDocOps, targetId, type DocOp } from '../memory/foldDoc.ts';
import type { Doc } from '../memory/documentOps.ts';
import type { WriteOp } from '../projections/index.ts';

/** The ops of one batch that target one document, in batch order. */
export interface DocGroup {
  view: string;
  id: string | number | boolean;
  ops: DocOp[];
}

/**
 * How one touched document is written:
 * - `direct`: its only op, sent as is (a single guarded write costs what a read would);
 * - `insert`: its ops start with an insert, so the document is new: folded in memory and inserted
 *   (`insertMany`, the store's fast path); a duplicate key means it was not new after all (a
 *   redelivered batch), and it is written like `fold`;
 * - `fold`: read it, fold its ops over what the store holds, write it once, guarded by the version read.
 */
export type PlannedWrite =
  | { kind: 'direct'; group: DocGroup; op: DocOp }
  | { kind: 'insert'; group: DocGroup; doc: Doc }
  | { kind: 'fold'; group: DocGroup };

const keyOf = (view: string, id: unknown): string => `${view}\u0000${typeof id}:${String(id)}`;

/**
 * Groups a batch's single-document ops per target document (first-seen order) and decides how each
 * document is written, so every touched document costs at most one write (plus one read when it
 * already existed and more than one op touched it). Pure.
 * @throws Error for an op that does not name its document by an exact `_id` (the caller keeps those
 * out: they are barriers); UnsupportedOperationError / InvalidUpdateError from folding an insert chain.
 */
export function planCoalesced(ops: readonly DocOp[]): PlannedWrite[] {
  const groups = new Map<string, DocGroup>();
  for (const op of ops) {
    const id = targetId(op);
    if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'boolean') throw new Error(`a coalesced op must name its document by _id (view ${op.view})`);
    const k = keyOf(op.view, id);
    const g = groups.get(k) ?? { view: op.view, id, ops: [] };
    g.ops.push(op);
    groups.set(k, g);
  }
  return [...groups.values()].map((group): PlannedWrite => {
    const [first] = group.ops;
    if (first && group.ops.length === 1) return { kind: 'direct', group, op: first };
    if (first?.kind === 'insert') {
      const doc = foldDocOps(undefined, group.ops);
      if (doc) return { kind: 'insert', group, doc };
    }
    return { kind: 'fold', group };
  });
}

/** True when an op can be coalesced: a single-document op naming its `_id` exactly. */
export function isCoalescable(op: WriteOp): op is DocOp {
  if (op.kind !== 'insert' && (op.kind !== 'update' || op.many === true)) return false;
  const id = op.kind === 'insert' ? op.doc['_id'] : op.filter['_id'];
  return id !== undefined && (typeof id !== 'object' || id === null);
}
