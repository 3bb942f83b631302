import type { Collection, Db, Filter } from 'mongodb';
import { comparePositionText } from '../../contracts/index.ts';
import { rankedListId, rerank, type RankedList, type RankedView, type RankItem, type RankOp } from '../projections/index.ts';
import { rankShardOf } from '../runner/liveShard.ts';
import { countStoreCommands } from './commandMetrics.ts';
import type { ViewNames } from './generations.ts';
import type { PointReads } from './pointReads.ts';
import { withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;

/** One touched list shard of a batch: its members (what each shows now) and the newest stamped position among their ops. */
interface TouchedList {
  bucket: string;
  shard: string;
  touched: Map<string, RankItem | null>;
  /** Undefined when some op was unstamped (a re-drive): then the list is written without the position guard. */
  position: string | undefined;
}

const newer = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined || comparePositionText(a, b) >= 0 ? a : b);

/** Whether `list` already holds rank ops up to `position` (a redelivery, or the partition's next owner got further). */
function holds(list: RankedList | null, position: string | undefined): boolean {
  return position !== undefined && list?.pos !== undefined && comparePositionText(list.pos, position) >= 0;
}

/**
 * Applies a batch's `rank` ops: per touched list shard (bucket × the members' partition), one read
 * of it and one compare-and-set write (guarded by the items and position read), whatever the bucket
 * holds; the touched members are read once through `reads` (after the batch's document writes: what
 * they say now is what counts). Only when a listed member leaves a full shard list is that list
 * refilled from the shard's members. Every list document has one writer at a time (the partition's
 * projector, or a rebuild's drain behind the hand-over marker), but a partition's previous owner may
 * still finish an old batch after the next owner wrote (a rebalance overlap). So a stamped write also
 * moves the list's `pos` (changed items or not), a list whose `pos` is at or after the batch's is
 * left alone, and a write that loses its compare-and-set reads the list and the members again (what
 * it read may be older than what beat it): a late old owner changes nothing. FerretDB 1.24 lets
 * *simultaneous* compare-and-set writers of one document all win (`bench/tools/casProbe.ts`): no
 * store-side guard covers two owners writing the same list at the same instant (README, Open work).
 * Returns the touched buckets.
 */
export async function applyRanks(db: Db, names: ViewNames, spec: RankedView, ops: readonly RankOp[], reads: PointReads, partitions: number): Promise<string[]> {
  // Per member, the newest position of its ops (undefined once one of them is unstamped).
  const positions = new Map<string, string | undefined>();
  for (const op of ops) {
    const unstamped = op.position === undefined || (positions.has(op.member) && positions.get(op.member) === undefined);
    positions.set(op.member, unstamped ? undefined : newer(positions.get(op.member), op.position));
  }
  const members = [...positions.keys()];
  const docs = await Promise.all(members.map((id) => reads.get(spec.members, id)));
  const byList = new Map<string, TouchedList>();
  docs.forEach((doc, i) => {
    const id = members[i];
    if (!doc || id === undefined) return; // no member document: nothing to rank
    const shard = rankShardOf(spec, id, partitions);
    const position = positions.get(id);
    for (const bucket of spec.bucketsOf(doc)) {
      const listId = rankedListId(bucket, shard);
      const list = byList.get(listId);
      if (!list) byList.set(listId, { bucket, shard, touched: new Map([[id, spec.itemOf(doc, bucket)]]), position });
      else {
        list.touched.set(id, spec.itemOf(doc, bucket));
        list.position = position === undefined || list.position === undefined ? undefined : newer(list.position, position);
      }
    }
  });
  const lists = db.collection<RankedList>(names(spec.view));
  const memberDocs = db.collection<Record<string, unknown>>(names(spec.members));
  await Promise.all([...byList].map(async ([listId, { bucket, shard, touched: first, position }]) => {
    let touched = first;
    for (;;) {
      countStoreCommands(spec.view);
      const current = await lists.findOne({ _id: listId });
      if (holds(current, position)) return;
      const ranked = rerank(current?.items ?? [], touched, spec.size);
      const items = ranked.refill ? await newest(db, names, spec, bucket, shard, partitions) : ranked.items;
      const pos = newer(current?.pos, position);
      if (current && sameItems(current.items, items) && current.pos === pos) return;
      countStoreCommands(spec.view);
      try {
        const next: Omit<RankedList, '_id'> = { bucket, shard, items, ...(pos !== undefined && { pos }) };
        if (!current) {
          await lists.insertOne({ _id: listId, ...next });
          return;
        }
        // Same items and position, same ranking: an A→B→A change in between leaves nothing this write would miss.
        const guard = { _id: listId, items: current.items, pos: current.pos ?? { $exists: false } } as Filter<RankedList>;
        const r = await withUpdateBudget(1, () => lists.replaceOne(guard, next));
        if (r.matchedCount === 1) return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      }
      // Lost to another writer: what the members said when this batch read them may be older than its write.
      touched = await reread(memberDocs, spec, bucket, [...touched.keys()]);
    }
  }));
  return [...new Set([...byList.values()].map((l) => l.bucket))];
}

/** What `ids` show in `bucket` now, read again from the store (one point read each). */
async function reread(members: Collection<Record<string, unknown>>, spec: RankedView, bucket: string, ids: readonly string[]): Promise<Map<string, RankItem | null>> {
  countStoreCommands(spec.members, ids.length);
  const docs = await Promise.all(ids.map((id) => members.findOne({ _id: id } as unknown as Filter<Record<string, unknown>>)));
  return new Map(ids.map((id, i) => {
    const doc = docs[i];
    return [id, doc ? spec.itemOf(doc, bucket) : null];
  }));
}

/**
 * A list shard's newest members, read from the members newest first (the refill of a list that lost
 * one), keeping those of the shard's partition. One query whatever the shard; on MongoDB an index
 * range that stops after about `size × partitions` members.
 */
async function newest(db: Db, names: ViewNames, spec: RankedView, bucket: string, shard: string, partitions: number): Promise<RankItem[]> {
  const q = spec.newest(bucket);
  countStoreCommands(spec.members);
  const out: RankItem[] = [];
  const cursor = db.collection(names(spec.members)).find(q.filter).sort(q.sort).batchSize(spec.size * partitions);
  try {
    for await (const m of cursor) {
      if (rankShardOf(spec, String(m['_id']), partitions) !== shard) continue;
      const item = spec.itemOf(m, bucket);
      if (item) out.push(item);
      if (out.length >= spec.size) break;
    }
  } finally {
    await cursor.close();
  }
  return out;
}

function sameItems(a: readonly RankItem[], b: readonly RankItem[]): boolean {
  return a.length === b.length && a.every((x, i) => JSON.stringify(x) === JSON.stringify(b[i]));
}
