import type { Db, Filter } from 'mongodb';
import { rankedListId, rerank, type RankedList, type RankedView, type RankItem, type RankOp } from '../projections/index.ts';
import { rankShardOf } from '../runner/liveShard.ts';
import { countStoreCommands } from './commandMetrics.ts';
import type { ViewNames } from './generations.ts';
import type { PointReads } from './pointReads.ts';
import { withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;

/**
 * Applies a batch's `rank` ops: per touched list shard (bucket × the members' partition), one read
 * of it and, when it changes, one compare-and-set write (guarded by the items read), whatever the
 * bucket holds; the touched members are read once through `reads` (after the batch's document
 * writes: what they say now is what counts). Only when a listed member leaves a full shard list is
 * that list refilled from the shard's members. Every list document has one writer (the partition's
 * projector, or a rebuild's drain behind the hand-over marker), so the guard is a safety net, not an
 * arbiter: FerretDB 1.24 lets concurrent CAS writers of one document all win. Returns the touched buckets.
 */
export async function applyRanks(db: Db, names: ViewNames, spec: RankedView, ops: readonly RankOp[], reads: PointReads, partitions: number): Promise<string[]> {
  const members = [...new Set(ops.map((op) => op.member))];
  const docs = await Promise.all(members.map((id) => reads.get(spec.members, id)));
  const byList = new Map<string, { bucket: string; shard: string; touched: Map<string, RankItem | null> }>();
  docs.forEach((doc, i) => {
    const id = members[i];
    if (!doc || id === undefined) return; // no member document: nothing to rank
    const shard = rankShardOf(spec, id, partitions);
    for (const bucket of spec.bucketsOf(doc)) {
      const listId = rankedListId(bucket, shard);
      const list = byList.get(listId) ?? { bucket, shard, touched: new Map<string, RankItem | null>() };
      list.touched.set(id, spec.itemOf(doc, bucket));
      byList.set(listId, list);
    }
  });
  const lists = db.collection<RankedList>(names(spec.view));
  await Promise.all([...byList].map(async ([listId, { bucket, shard, touched }]) => {
    for (;;) {
      countStoreCommands(spec.view);
      const current = await lists.findOne({ _id: listId });
      const ranked = rerank(current?.items ?? [], touched, spec.size);
      const items = ranked.refill ? await newest(db, names, spec, bucket, shard, partitions) : ranked.items;
      if (current && sameItems(current.items, items)) return;
      countStoreCommands(spec.view);
      try {
        if (!current) {
          await lists.insertOne({ _id: listId, bucket, shard, items });
          return;
        }
        // Same items, same ranking: an A→B→A change in between leaves nothing this write would miss.
        const r = await withUpdateBudget(1, () => lists.replaceOne({ _id: listId, items: current.items } as Filter<RankedList>, { bucket, shard, items }));
        if (r.matchedCount === 1) return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      }
    }
  }));
  return [...new Set([...byList.values()].map((l) => l.bucket))];
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
