import { bucketId, rankedListId, resolveAdds, type Projection, type WriteOp } from '../projections/index.ts';
import { rankShardOf } from '../runner/liveShard.ts';
import { shardId } from '../mongo/shards.ts';
import { UnsupportedOperationError, type Doc } from './documentOps.ts';
import { createMemoryViews, type MemoryViews, type ViewChanges } from './memoryViews.ts';
import { createSeenIds, type SeenIds } from './seenIds.ts';

/** Reads of documents a streaming fold flushed and forgot (the rebuild's shadow generation). */
export interface FoldStore {
  /** The stored document of a logical view by `_id`, or null. */
  findById(view: string, id: unknown): Promise<Doc | null>;
  /** Every stored document of a logical view whose `field` equals `value`. */
  findBy(view: string, field: string, value: unknown): Promise<Doc[]>;
  /**
   * The first `limit` stored documents of a logical view matching `filter` in `sort` order that
   * `accept` takes (a ranked list's refill: its shard's newest members not held in memory).
   */
  newest(view: string, q: { filter: Record<string, unknown>; sort: Record<string, 1 | -1> }, accept: (doc: Doc) => boolean, limit: number): Promise<Doc[]>;
}

/** A store that holds nothing (a fold that never flushed to it: the fold-only measurement). */
export const emptyFoldStore: FoldStore = {
  findById: () => Promise.resolve(null),
  findBy: () => Promise.resolve([]),
  newest: () => Promise.resolve([]),
};

/** How often a streaming fold flushes and what it keeps. */
export interface FoldPolicy {
  /**
   * A flush writes the documents no event touched in the last `window` events (the finished ones:
   * written once, by insert) and keeps the others in memory, dirty, for the next flush. @default 10000
   */
  window: number;
  /**
   * Documents dirty for longer than this many events are written even if still being touched (hot
   * documents such as today's sums), so the flushed position keeps moving. @default 4 × window
   */
  maxDirtyEvents?: number;
  /** Sequence number of the last event already in the store (a resumed fold). @default 0 */
  startSeq?: number;
  /** Partitions of the event topics: a ranked member's list shard is its stream's partition. @default 6 */
  partitions?: number;
}

/** What {@link StreamingFold.takeFlush} hands to the writer. */
export interface FoldFlush {
  changes: ViewChanges[];
  /** Every event with a sequence number up to this one is in the store once `changes` are written. */
  flushedSeq: number;
  documents: number;
}

/** A lookup the fold must do before applying an op: the store may hold documents memory forgot. */
interface Lookup {
  view: string;
  field: string;
  value: unknown;
  key: string;
}

const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? `${typeof v}:${String(v)}` : undefined;

const seenKey = (view: string, field: string, text: string): string => `${view}\u0000${field}\u0000${text}`;

/** The equality a filter names for a field (a plain scalar or `$eq`), or undefined. */
function equalityOf(cond: unknown): unknown {
  if (scalarText(cond) !== undefined) return cond;
  if (typeof cond === 'object' && cond !== null && '$eq' in cond) {
    const eq = (cond as { $eq: unknown }).$eq;
    return scalarText(eq) !== undefined ? eq : undefined;
  }
  return undefined;
}

/**
 * A projection folded over the log in order with bounded memory (the streaming rebuild).
 *
 * Memory holds the documents touched in the last few windows; a flush writes the finished ones and a
 * later eviction forgets them. Every written document's `_id` and indexed fields go into a Bloom
 * filter ({@link SeenIds}): when an event targets a document memory does not hold, a filter miss
 * proves the store has none (so it is new: no read), and a hit means "maybe": the fold reads the store
 * first ({@link FoldStore}) and merges. Everything else is {@link MemoryViews}' exact semantics, so the
 * documents equal what folding the whole log in memory would give. A ranked list's refill (rare: a
 * listed member left a full list) reads the shard's newest members the store has and memory does not
 * hold, at most the list's size, when the next flush settles it.
 */
export interface StreamingFold {
  readonly views: MemoryViews;
  readonly seen: SeenIds;
  /** Store reads done for documents memory had forgotten (Bloom hits, false positives included). */
  readonly storeReads: number;
  /** Sequence number of the last event applied (the `seq` given to {@link StreamingFold.apply}). */
  readonly seq: number;
  /**
   * Applies one event's ops (sequence number `seq`, increasing), reading the store first when an op
   * targets a document that may be stored but is not held. Resolves synchronously (undefined) when no
   * read is needed: the common case.
   * @throws what {@link MemoryViews.apply} throws; UnsupportedOperationError for a filter the fold
   * cannot look up in the store (no `_id` and no indexed field).
   */
  apply(ops: readonly WriteOp[], seq: number): Promise<void> | undefined;
  /**
   * Selects what the next flush writes (settling buckets first, after reading what they need):
   * documents untouched for `window` events, dirty for more than `maxDirtyEvents`, bucket documents,
   * or everything with `all`. Adds what it takes to the filter.
   */
  takeFlush(seq: number, opts?: { all?: boolean }): Promise<FoldFlush>;
  /** Forgets clean documents untouched for `window` events (call once the flushes before are written). */
  evict(seq: number): number;
  /** Seeds the filter with documents already in the store (a resumed rebuild). */
  remember(view: string, doc: Doc): void;
}

/** Creates a streaming fold of `projection` that reads forgotten documents from `store`. */
export function createStreamingFold(projection: Projection, store: FoldStore, policy: FoldPolicy): StreamingFold {
  const partitions = policy.partitions ?? 6;
  const views = createMemoryViews(projection, { partitions });
  const seen = createSeenIds();
  const window = policy.window;
  const maxDirty = policy.maxDirtyEvents ?? window * 4;
  /** Fields of each view whose values go into the filter: `_id` and each index's leading field. */
  const keyed = new Map(projection.views.map((v) => [v.name, ['_id', ...new Set(v.indexes.map((i) => Object.keys(i.key)[0] ?? '_id'))]]));
  /** Views some flush wrote to: only those can hold documents memory does not. */
  const written = new Set<string>();
  /** Lookups done since the last eviction (their documents are held until then). */
  const loaded = new Set<string>();
  let storeReads = 0;
  let lastSeq = policy.startSeq ?? 0;

  function remember(view: string, doc: Doc): void {
    written.add(view);
    for (const field of keyed.get(view) ?? ['_id']) {
      const v = doc[field];
      for (const x of Array.isArray(v) ? v : [v]) {
        const text = scalarText(x);
        if (text !== undefined) seen.add(seenKey(view, field, text));
      }
    }
  }

  function lookup(view: string, field: string, value: unknown): Lookup[] {
    if (field === '_id' && views.get(view, value) !== undefined) return [];
    const key = seenKey(view, field, scalarText(value) ?? '');
    if (loaded.has(key) || !seen.mayHave(key)) return [];
    return [{ view, field, value, key }];
  }

  function filterLookup(view: string, filter: Record<string, unknown>): Lookup[] {
    if (!written.has(view)) return [];
    const id = equalityOf(filter['_id']);
    if (id !== undefined) return lookup(view, '_id', id);
    for (const field of keyed.get(view) ?? []) {
      const value = equalityOf(filter[field]);
      if (value !== undefined) return lookup(view, field, value);
    }
    throw new UnsupportedOperationError(`a streaming fold cannot find ${view} documents by ${JSON.stringify(Object.keys(filter))}: filter by _id or an indexed field`);
  }

  function lookupsOf(op: WriteOp): Lookup[] {
    switch (op.kind) {
      case 'insert':
        return filterLookup(op.view, { _id: op.doc['_id'] });
      case 'update':
        return filterLookup(op.view, op.filter);
      case 'recompute':
        return []; // read when the buckets settle (takeFlush)
      case 'rank': {
        const spec = projection.ranked;
        if (!spec) return [];
        const member = views.get(spec.members, op.member);
        if (!member) return filterLookup(spec.members, { _id: op.member });
        const shard = rankShardOf(spec, op.member, partitions);
        return spec.bucketsOf(member).flatMap((bucket) => filterLookup(spec.view, { _id: rankedListId(bucket, shard) }));
      }
      case 'recomputeFromEntries':
        return projection.buckets ? filterLookup(projection.buckets.entriesView, op.entries) : [];
      case 'add': {
        const spec = projection.sharded;
        if (!spec) return [];
        const via = op.via ? views.get(op.via.view, op.via.id) : undefined;
        if (op.via && !via) return filterLookup(op.via.view, { _id: op.via.id });
        // Every shard the add lands in (one per element of a per-element add: an order's lines).
        return resolveAdds(spec, op, via).flatMap(({ key }) => filterLookup(spec.view, { _id: shardId(bucketId(spec, key), op.at?.shard ?? 'base') }));
      }
    }
  }

  async function fetch(lookups: readonly Lookup[]): Promise<void> {
    await Promise.all(lookups.map(async (l) => {
      storeReads++;
      const docs = l.field === '_id' ? [await store.findById(l.view, l.value)].filter((d): d is Doc => d !== null) : await store.findBy(l.view, l.field, l.value);
      views.load(l.view, docs);
      loaded.add(l.key);
    }));
  }

  async function applyWithReads(ops: readonly WriteOp[], from: number, seq: number): Promise<void> {
    for (let i = from; i < ops.length; i++) {
      const op = ops[i];
      if (!op) continue;
      // A via-add needs its entry (a rank its member) before its shard (its lists) can be named: at most two rounds.
      for (let round = 0, needed = lookupsOf(op); needed.length > 0 && round < 3; round++, needed = lookupsOf(op)) await fetch(needed);
      views.setClock(seq);
      views.apply([op]);
    }
  }

  return {
    views,
    seen,
    get storeReads() {
      return storeReads;
    },
    get seq() {
      return lastSeq;
    },
    apply(ops, seq) {
      lastSeq = seq;
      views.setClock(seq);
      // Op by op: an op can create the document a later op's lookup depends on (a via-add's entry).
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (!op) continue;
        if (lookupsOf(op).length > 0) return applyWithReads(ops, i, seq);
        views.apply([op]);
      }
      return undefined;
    },
    async takeFlush(seq, opts) {
      const all = opts?.all === true;
      const ranked = projection.ranked;
      if (ranked && written.has(ranked.members)) {
        const members = ranked.members;
        await Promise.all(views.pendingRefills().map(async ({ bucket, shard }) => {
          storeReads++;
          const held = (d: Doc) => views.get(members, d['_id']) !== undefined; // memory is newer
          views.load(members, await store.newest(members, ranked.newest(bucket), (d) => !held(d) && rankShardOf(ranked, String(d['_id']), partitions) === shard, ranked.size));
        }));
      }
      const buckets = projection.buckets;
      if (buckets) {
        const needed = views.pendingBuckets().flatMap((key) => [
          ...filterLookup(buckets.entriesView, buckets.entryFilter(key)),
          ...filterLookup(buckets.view, { _id: buckets.recompute(key, []).doc._id }),
        ]);
        await fetch(needed);
      }
      views.setClock(seq);
      views.settleBuckets();
      const changes = views.takeChanges((h) => all || h.view === buckets?.view || h.touched <= seq - window || h.dirtySince <= seq - maxDirty);
      let documents = 0;
      for (const c of changes) {
        for (const d of [...c.inserts, ...c.replaces]) remember(c.view, d);
        documents += c.inserts.length + c.replaces.length;
      }
      const oldest = views.minDirtySince();
      return { changes, flushedSeq: oldest === undefined ? seq : oldest - 1, documents };
    },
    evict(seq) {
      loaded.clear();
      return views.evict((h) => h.touched <= seq - window);
    },
    remember,
  };
}
