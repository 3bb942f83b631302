import type { Db, Filter } from 'mongodb';
import { rerank, type RankedView, type RankItem, type RankOp } from '../projections/index.ts';
import { countStoreCommands } from './commandMetrics.ts';
import { createKeyedLock } from './keyedLock.ts';
import type { ViewNames } from './generations.ts';
import type { PointReads } from './pointReads.ts';
import { withUpdateBudget } from './updateBudget.ts';

const DUPLICATE_KEY = 11000;

/** One re-rank of a list at a time in this process: FerretDB lets concurrent CAS writers all win (see keyedLock). */
const listLock = createKeyedLock();

/**
 * A ranked list's document: one per bucket. The compare-and-set guard is the list read itself (no
 * write counter: the document must be the same whichever writers, batches or replay produced it).
 */
interface ListDoc {
  _id: string;
  items: RankItem[];
}

/**
 * Applies a batch's `rank` ops: per touched bucket, one read of its list, one compare-and-set write
 * (guarded by the items read) when the list changes, whatever the bucket holds; the touched members are read once
 * through `reads` (after the batch's document writes: what they say now is what counts). Only when
 * a listed member leaves a full list is the list refilled from the members' `newest` query. A lost
 * race (another process's writer re-ranked the same bucket) reads again; writers in one process take
 * turns per bucket, because FerretDB does not make the CAS exclusive. Returns the touched buckets.
 */
export async function applyRanks(db: Db, names: ViewNames, spec: RankedView, ops: readonly RankOp[], reads: PointReads): Promise<string[]> {
  const members = [...new Set(ops.map((op) => op.member))];
  const docs = await Promise.all(members.map((id) => reads.get(spec.members, id)));
  const byBucket = new Map<string, Map<string, RankItem | null>>();
  docs.forEach((doc, i) => {
    const id = members[i];
    if (!doc || id === undefined) return; // no member document: nothing to rank
    for (const bucket of spec.bucketsOf(doc)) {
      const touched = byBucket.get(bucket) ?? new Map<string, RankItem | null>();
      touched.set(id, spec.itemOf(doc, bucket));
      byBucket.set(bucket, touched);
    }
  });
  const lists = db.collection<ListDoc>(names(spec.view));
  await Promise.all([...byBucket].map(([bucket, touched]) => listLock(`${names(spec.view)}\u0000${bucket}`, async () => {
    for (;;) {
      countStoreCommands(spec.view);
      const current = await lists.findOne({ _id: bucket });
      const ranked = rerank(current?.items ?? [], touched, spec.size);
      const items = ranked.refill ? await newest(db, names, spec, bucket) : ranked.items;
      if (current && sameItems(current.items, items)) return;
      countStoreCommands(spec.view);
      try {
        if (!current) {
          await lists.insertOne({ _id: bucket, items });
          return;
        }
        // Same items, same ranking: an A→B→A change in between leaves nothing this write would miss.
        const r = await withUpdateBudget(1, () => lists.replaceOne({ _id: bucket, items: current.items } as Filter<ListDoc>, { items }));
        if (r.matchedCount === 1) return;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      }
    }
  })));
  return [...byBucket.keys()];
}

/** A bucket's newest members, read from the members (the refill of a list that lost one). */
async function newest(db: Db, names: ViewNames, spec: RankedView, bucket: string): Promise<RankItem[]> {
  const q = spec.newest(bucket);
  countStoreCommands(spec.members);
  const found = await db.collection(names(spec.members)).find(q.filter).sort(q.sort).limit(spec.size).toArray();
  return found.flatMap((m) => spec.itemOf(m, bucket) ?? []);
}

function sameItems(a: readonly RankItem[], b: readonly RankItem[]): boolean {
  return a.length === b.length && a.every((x, i) => JSON.stringify(x) === JSON.stringify(b[i]));
}
