import { comparePositionText } from '../../contracts/index.ts';
import type { Db, UpdateFilter } from 'mongodb';
import { bucketId, resolveAdds, type AddOp, type ShardedView } from '../projections/index.ts';
import { pointReads, type PointReads } from './pointReads.ts';
import type { ViewNames } from './generations.ts';
import { countStoreCommands } from './commandMetrics.ts';
import { withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;

/** A shard document: one bucket's sums from one writer, with the position of the last event it holds. */
export interface ShardDoc extends Record<string, unknown> {
  _id: string;
  shard: string;
  pos: string;
}

/**
 * `_id` of the hand-over marker a rebuild puts in a new generation's sharded view before switching
 * to it, and removes once its drain has added every event the live writers put in the old one.
 * Until then, live writers must not add to it: a live shard that moved past an event the drain has
 * not added yet would make the drain skip it.
 */
export const HANDOVER_MARKER = '#handover';

/** Live writers wait (a transient failure: the partition pauses) while a rebuild's drain fills a new generation. */
export class HandoverInProgressError extends Error {
  override readonly name = 'HandoverInProgressError';
  readonly retriable = true;
  constructor(readonly collection: string) {
    super(`${collection}: a rebuild is handing this generation over; adds wait for its drain`);
  }
}

/** Collections known to have no hand-over marker (it is only ever removed from a live generation). */
const ready = new Set<string>();

async function checkHandedOver(db: Db, collection: string, view: string): Promise<void> {
  if (ready.has(collection)) return;
  countStoreCommands(view);
  if (await db.collection<{ _id: string }>(collection).findOne({ _id: HANDOVER_MARKER })) throw new HandoverInProgressError(collection);
  ready.add(collection);
}

/** `_id` of a bucket's shard. */
export function shardId(bucketKey: string, shard: string): string {
  return `${bucketKey}#${shard}`;
}

/** An `add` with its key resolved and its stamp checked. */
interface Resolved {
  key: Record<string, string>;
  add: Record<string, number>;
  shard: string;
  position: string;
}

/**
 * Folds one shard's adds (in log order) over what it holds: only events after both the shard's
 * position and the rebuild base's position count (the base holds every event up to its position
 * for that bucket). Pure.
 */
export function foldAdds(adds: readonly Resolved[], floor: string, sumFields: readonly string[]): { inc: Record<string, number>; pos: string } | undefined {
  const inc: Record<string, number> = Object.fromEntries(sumFields.map((f) => [f, 0]));
  let pos = floor;
  let any = false;
  for (const a of adds) {
    if (comparePositionText(a.position, pos) <= 0) continue;
    for (const f of sumFields) inc[f] = (inc[f] ?? 0) + (a.add[f] ?? 0);
    pos = a.position;
    any = true;
  }
  return any ? { inc, pos } : undefined;
}

const maxPos = (a: string | undefined, b: string | undefined): string => (comparePositionText(a ?? '', b ?? '') >= 0 ? (a ?? '') : (b ?? ''));

/**
 * Applies a batch's `add` ops to a sharded view (each resolved by `resolveAdds` against its `via`
 * document, read once per batch through `reads`): each touched (bucket, shard) costs two point
 * reads (its shard and the bucket's rebuild base, in parallel) and one compare-and-set write (insert,
 * or `$inc` guarded by the position it read), whatever the bucket already holds. A lost race (another
 * writer of the same shard: a rebuild's drain) reads again. Adds whose `via` document is missing are
 * dropped (nothing to adjust), like the in-memory fold. Returns the touched bucket ids. Only the
 * rebuild's drain (`drain`) writes a generation that still carries the {@link HANDOVER_MARKER}.
 * @throws HandoverInProgressError (transient) while a hand-over is under way; Error for an add that
 * was not stamped (a caller bug).
 */
export async function applyAdds(db: Db, names: ViewNames, spec: ShardedView, ops: readonly AddOp[], opts: { drain?: boolean; reads?: PointReads } = {}): Promise<string[]> {
  if (!opts.drain) await checkHandedOver(db, names(spec.view), spec.view);
  const reads = opts.reads ?? pointReads(db, names);
  for (const op of ops) if (op.via) void reads.get(op.via.view, op.via.id); // all in parallel
  const byShard = new Map<string, { bucket: string; adds: Resolved[] }>();
  for (const op of ops) {
    if (!op.at) throw new Error(`unstamped add op on ${op.view}: the runner must stamp shard and position`);
    const via = op.via ? await reads.get(op.via.view, op.via.id) : undefined;
    for (const { key, add } of resolveAdds(spec, op, via)) {
      const bucket = bucketId(spec, key);
      const id = shardId(bucket, op.at.shard);
      const group = byShard.get(id) ?? { bucket, adds: [] };
      group.adds.push({ key, add, shard: op.at.shard, position: op.at.position });
      byShard.set(id, group);
    }
  }
  const coll = db.collection<ShardDoc>(names(spec.view));
  await Promise.all([...byShard].map(async ([id, { bucket, adds }]) => {
    const first = adds[0];
    if (!first) return;
    for (;;) {
      countStoreCommands(spec.view, first.shard === 'base' ? 1 : 2);
      const [mine, base] = await Promise.all([coll.findOne({ _id: id }), first.shard === 'base' ? null : coll.findOne({ _id: shardId(bucket, 'base') })]);
      const folded = foldAdds(adds, maxPos(mine?.pos, base?.pos), spec.sumFields);
      if (!folded) return;
      countStoreCommands(spec.view);
      try {
        if (!mine) {
          await coll.insertOne({ _id: id, ...first.key, shard: first.shard, pos: folded.pos, ...folded.inc });
          return;
        }
        const r = await withUpdateBudget(1, () => coll.updateOne({ _id: id, pos: mine.pos }, { $inc: folded.inc, $set: { pos: folded.pos } } as UpdateFilter<ShardDoc>));
        if (r.matchedCount === 1) return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      }
    }
  }));
  return [...new Set([...byShard.values()].map((g) => g.bucket))];
}
