import { comparePositionText, type EventEnvelope } from '../../contracts/index.ts';
import { bucketId, rankedListId, rankOrder, rerank, resolveAdds, type AddOp, type Projection, type RankedView, type RankItem, type RankOp, type ShardedView, type WriteOp } from '../projections/index.ts';
import { rankShardOf } from '../runner/liveShard.ts';
import { shardId } from '../mongo/shards.ts';
import { applyUpdate, getPath, matches, storedValue, upsertSeed, UnsupportedOperationError, valuesEqual, type Doc } from './documentOps.ts';

/** One document held in memory, and whether the store already has (a version of) it. */
interface Held {
  doc: Doc;
  /** The store has a version of this document (written by an earlier flush). */
  persisted: boolean;
  /** Changed since the last flush. */
  dirty: boolean;
  /** Clock reading (event sequence number) of the last change. */
  touched: number;
  /** Clock reading of the first change since the last flush (meaningful while `dirty`). */
  dirtySince: number;
  /**
   * A flush handed `doc` itself to the writer (no copy): the next change copies it first. Most
   * flushed documents are never touched again, so copying on write spares a copy per document.
   */
  shared?: boolean;
}

/** What a flush or eviction policy sees of a held document. */
export interface HeldState {
  view: string;
  /** Sequence number of the event that last changed it. */
  touched: number;
  /** Sequence number of its first change not yet taken by a flush (only while dirty). */
  dirtySince: number;
  dirty: boolean;
}

/** What a flush must write for one logical view. */
export interface ViewChanges {
  view: string;
  /** Documents the store does not have yet. */
  inserts: Doc[];
  /** Documents the store has an older version of (write them whole, by `_id`). */
  replaces: Doc[];
}

/**
 * Map key of a document id. A string id is its own key (no concatenation: a fresh string per lookup
 * costs a flatten and a hash); other ids and strings that could collide with them get a prefix.
 */
const idKey = (id: unknown): string => (typeof id === 'string' ? (id.charCodeAt(0) === 1 ? `\u0001s:${id}` : id) : `\u0001j:${JSON.stringify(id)}`);

const scalarKey = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? `${typeof v}:${String(v)}` : undefined;

/** The documents of one logical view, with equality indexes built on first use. */
class ViewStore {
  readonly docs = new Map<string, Held>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly clock: () => number) {}

  get(id: unknown): Held | undefined {
    return this.docs.get(idKey(id));
  }

  /** Candidate documents for a filter: by `_id`, by an indexed equality, or all of them. */
  candidates(filter: Record<string, unknown>): Held[] {
    const id = filter['_id'];
    if (id !== undefined && (typeof id !== 'object' || id === null)) {
      const held = this.get(id);
      return held ? [held] : [];
    }
    for (const [field, cond] of Object.entries(filter)) {
      const key = field.startsWith('$') || field === '_id' ? undefined : scalarKey(cond);
      if (key === undefined) continue;
      const ids = this.index(field).get(key);
      return ids ? [...ids].flatMap((k) => this.docs.get(k) ?? []) : [];
    }
    return [...this.docs.values()];
  }

  private index(field: string): Map<string, Set<string>> {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      this.indexes.set(field, index);
      for (const [k, held] of this.docs) addTo(index, getPath(held.doc, field), k);
    }
    return index;
  }

  /**
   * Runs `change` on a document (or adds a new one) keeping the equality indexes right. `change`
   * must mutate `held.doc` as it is when called (a shared document is copied before).
   */
  write(held: Held, change: () => void, isNew: boolean): void {
    if (held.shared) {
      held.doc = storedValue(held.doc) as Doc;
      held.shared = false;
    }
    const now = this.clock();
    if (!held.dirty || isNew) held.dirtySince = now;
    held.dirty = true;
    held.touched = now;
    if (this.indexes.size === 0) {
      change();
      if (isNew) this.docs.set(idKey(held.doc['_id']), held);
      return;
    }
    const k = idKey(held.doc['_id']);
    const before = [...this.indexes].map(([field, index]) => ({ field, index, value: isNew ? undefined : getPath(held.doc, field) }));
    change();
    if (isNew) this.docs.set(k, held);
    for (const { field, index, value } of before) {
      if (!isNew) removeFrom(index, value, k);
      addTo(index, getPath(held.doc, field), k);
    }
  }

  /** Adds a document the store has, unchanged (no-op when one with its `_id` is held: memory is newer). */
  load(doc: Doc): void {
    const k = idKey(doc['_id']);
    if (this.docs.has(k)) return;
    const held: Held = { doc, persisted: true, dirty: false, touched: this.clock(), dirtySince: 0 };
    this.docs.set(k, held);
    for (const [field, index] of this.indexes) addTo(index, getPath(doc, field), k);
  }

  /** Forgets a document (the store has its latest version). */
  remove(k: string, held: Held): void {
    this.docs.delete(k);
    for (const [field, index] of this.indexes) removeFrom(index, getPath(held.doc, field), k);
  }
}

function keysOf(value: unknown): string[] {
  const keys = Array.isArray(value) ? value.map(scalarKey) : [scalarKey(value)];
  return keys.filter((k): k is string => k !== undefined);
}

function addTo(index: Map<string, Set<string>>, value: unknown, id: string): void {
  for (const key of keysOf(value)) {
    const set = index.get(key) ?? new Set<string>();
    set.add(id);
    index.set(key, set);
  }
}

function removeFrom(index: Map<string, Set<string>>, value: unknown, id: string): void {
  for (const key of keysOf(value)) index.get(key)?.delete(id);
}

/**
 * A projection's views held in memory. `apply` evaluates write ops exactly as the view store's
 * adapter (`applyOps`) would, guards included: an insert of an existing `_id` and a guarded upsert
 * that loses are no-ops, an update that matches nothing does nothing. Bucket recomputes are
 * deferred to {@link MemoryViews.settleBuckets}: a bucket is a pure function of its entries, so
 * recomputing once at the end gives the state that recomputing after every write gives (so are
 * ranked lists that need a refill: a function of their members).
 */
export interface MemoryViews {
  readonly projection: Projection;
  /**
   * Applies one event's (or several events') ops in order.
   * @throws UnsupportedOperationError / InvalidUpdateError when an op is outside the supported subset
   * or would be rejected by the store.
   */
  apply(ops: readonly WriteOp[]): void;
  /** Projects envelopes in order (events the projection does not handle are skipped). @throws what `project` throws. */
  project(envelopes: Iterable<EventEnvelope>): void;
  /** Recomputes every bucket touched since the last call (and refills ranked lists). */
  settleBuckets(): void;
  /** A logical view's documents, in insertion order. */
  docs(view: string): Doc[];
  /** One document by `_id`. */
  get(view: string, id: unknown): Doc | undefined;
  /** Documents held, over all views. */
  readonly size: number;
  /**
   * Copies of the documents changed since the last call (settling buckets first), and marks them
   * flushed: write them before the next call's changes (a replace needs the insert before it).
   */
  takeChanges(pick?: (held: HeldState) => boolean): ViewChanges[];
  /**
   * Streaming folds: the clock that stamps changes (an event sequence number). Without it, every
   * `apply` call advances an internal counter.
   */
  setClock(seq: number): void;
  /** Adds documents read back from the store (held ones are kept: memory is newer). */
  load(view: string, docs: readonly Doc[]): void;
  /** Forgets clean (flushed) documents `pick` selects; returns how many. */
  evict(pick: (held: HeldState) => boolean): number;
  /** Smallest `dirtySince` of the documents not flushed yet, or undefined when all are. */
  minDirtySince(): number | undefined;
  /** Keys of the buckets waiting for {@link MemoryViews.settleBuckets}. */
  pendingBuckets(): Record<string, unknown>[];
  /** Ranked list shards waiting for a refill from their members in {@link MemoryViews.settleBuckets}. */
  pendingRefills(): { bucket: string; shard: string }[];
}

/** Options of {@link createMemoryViews}. */
export interface MemoryViewOptions {
  /** Partitions of the event topics: a ranked member's list shard is its stream's partition. @default 6 */
  partitions?: number;
}

/** Creates empty in-memory views for a projection. */
export function createMemoryViews(projection: Projection, opts: MemoryViewOptions = {}): MemoryViews {
  const partitions = opts.partitions ?? 6;
  let clock = 0;
  let external = false;
  const now = () => clock;
  const stores = new Map<string, ViewStore>(projection.views.map((v) => [v.name, new ViewStore(now)]));
  const buckets = projection.buckets;
  const pending = new Map<string, Record<string, unknown>>();
  const stateOf = (view: string, held: Held): HeldState => ({ view, touched: held.touched, dirtySince: held.dirtySince, dirty: held.dirty });
  /** Ranked list shards to refill from their members when buckets settle, by list id. */
  const refills = new Map<string, { bucket: string; shard: string }>();

  const store = (view: string): ViewStore => {
    const s = stores.get(view);
    if (!s) throw new UnsupportedOperationError(`projection ${projection.name} wrote to view ${view}, which it does not declare`);
    return s;
  };

  function insert(s: ViewStore, doc: Doc): void {
    if (s.get(doc['_id']) !== undefined) return; // duplicate key: already applied
    const held: Held = { doc: storedValue(doc) as Doc, persisted: false, dirty: true, touched: clock, dirtySince: clock };
    s.write(held, () => undefined, true);
  }

  function update(s: ViewStore, op: Extract<WriteOp, { kind: 'update' }>): void {
    const found = s.candidates(op.filter).filter((h) => matches(h.doc, op.filter));
    if (found.length > 0) {
      for (const held of op.many ? found : found.slice(0, 1)) s.write(held, () => applyUpdate(held.doc, op.update, false), false);
      return;
    }
    if (!op.upsert || op.many) return;
    const seed = upsertSeed(op.filter);
    if (seed['_id'] === undefined) throw new UnsupportedOperationError('an upsert without _id in its filter would get a random id');
    if (s.get(seed['_id']) !== undefined) return; // the store answers duplicate key: a newer version is there
    const doc: Doc = { _id: seed['_id'], ...seed };
    applyUpdate(doc, op.update, true);
    s.write({ doc, persisted: false, dirty: true, touched: clock, dirtySince: clock }, () => undefined, true);
  }

  /** An `add` as the store adapter applies it (`applyAdds`): into its shard, guarded by position when stamped. */
  function add(op: AddOp): void {
    const spec = projection.sharded;
    if (!spec) throw new UnsupportedOperationError(`projection ${projection.name} adds to ${op.view}, which is not a sharded view`);
    const via = op.via ? store(op.via.view).get(op.via.id)?.doc : undefined;
    for (const { key, add: sums } of resolveAdds(spec, op, via)) addOne(spec, op, key, sums);
  }

  function addOne(spec: ShardedView, op: AddOp, key: Record<string, string>, sums: Record<string, number>): void {
    const shard = op.at?.shard ?? 'base';
    const pos = op.at?.position ?? '';
    const s = store(spec.view);
    const held = s.get(shardId(bucketId(spec, key), shard));
    if (!held) {
      const doc: Doc = { _id: shardId(bucketId(spec, key), shard), ...key, shard, pos };
      for (const f of spec.sumFields) doc[f] = sums[f] ?? 0;
      s.write({ doc, persisted: false, dirty: true, touched: clock, dirtySince: clock }, () => undefined, true);
      return;
    }
    if (op.at && comparePositionText(pos, String(held.doc['pos'] ?? '')) <= 0) return;
    s.write(held, () => {
      for (const f of spec.sumFields) held.doc[f] = (Number(held.doc[f]) || 0) + (sums[f] ?? 0);
      held.doc['pos'] = pos;
    }, false);
  }

  /**
   * A `rank` op as the store adapter applies it (`applyRanks`): in the list shard of the member's
   * partition. A list that needs a refill (a listed member left it while full) is recomputed once,
   * from its members, when buckets settle: until then later rank ops on it have nothing to add (the
   * refill reads every member's last state).
   */
  function rank(op: RankOp): void {
    const spec = projection.ranked;
    if (!spec) throw new UnsupportedOperationError(`projection ${projection.name} ranks in ${op.view}, which is not a ranked view`);
    const member = store(spec.members).get(op.member)?.doc;
    if (!member) return;
    const shard = rankShardOf(spec, op.member, partitions);
    for (const bucket of spec.bucketsOf(member)) {
      const listId = rankedListId(bucket, shard);
      if (refills.has(listId)) continue;
      const held = store(spec.view).get(listId);
      const current = Array.isArray(held?.doc['items']) ? (held.doc['items'] as RankItem[]) : [];
      const { items, refill } = rerank(current, new Map([[op.member, spec.itemOf(member, bucket)]]), spec.size);
      if (refill) refills.set(listId, { bucket, shard });
      else setList(spec, bucket, shard, items);
    }
  }

  function setList(spec: RankedView, bucket: string, shard: string, items: RankItem[]): void {
    const lists = store(spec.view);
    const listId = rankedListId(bucket, shard);
    const held = lists.get(listId);
    if (!held) lists.write({ doc: { _id: listId, bucket, shard, items: storedValue(items) }, persisted: false, dirty: true, touched: clock, dirtySince: clock }, () => undefined, true);
    else if (!valuesEqual(held.doc['items'], items)) lists.write(held, () => {
      held.doc['items'] = storedValue(items);
    }, false);
  }

  function settleRefills(): void {
    const spec = projection.ranked;
    if (!spec) return;
    for (const { bucket, shard } of refills.values()) {
      const { filter } = spec.newest(bucket);
      const mine = store(spec.members).candidates(filter).filter((h) => matches(h.doc, filter) && rankShardOf(spec, String(h.doc['_id']), partitions) === shard);
      setList(spec, bucket, shard, mine.flatMap((h) => spec.itemOf(h.doc, bucket) ?? []).sort(rankOrder).slice(0, spec.size));
    }
    refills.clear();
  }

  function markBucket(key: Record<string, unknown>): void {
    pending.set(JSON.stringify(key), key);
  }

  const views: MemoryViews = {
    projection,
    apply(ops) {
      if (!external) clock++;
      for (const op of ops) {
        switch (op.kind) {
          case 'insert':
            insert(store(op.view), op.doc);
            break;
          case 'update':
            update(store(op.view), op);
            break;
          case 'recompute':
            markBucket(op.key);
            break;
          case 'add':
            add(op);
            break;
          case 'rank':
            rank(op);
            break;
          case 'recomputeFromEntries': {
            if (!buckets) throw new UnsupportedOperationError(`projection ${projection.name} recomputes buckets but declares none`);
            const entries = store(buckets.entriesView);
            for (const held of entries.candidates(op.entries)) if (matches(held.doc, op.entries)) markBucket(buckets.keyOfEntry(held.doc));
            break;
          }
        }
      }
    },
    project(envelopes) {
      for (const e of envelopes) if (projection.handles.includes(e.type)) views.apply(projection.project(e));
    },
    settleBuckets() {
      settleRefills();
      if (!buckets || pending.size === 0) return;
      const entries = store(buckets.entriesView);
      for (const key of pending.values()) {
        const filter = buckets.entryFilter(key);
        const mine = entries.candidates(filter).filter((h) => matches(h.doc, filter)).map((h) => h.doc);
        const { doc, revision } = buckets.recompute(key, mine);
        const { _id, ...rest } = doc;
        update(store(buckets.view), { kind: 'update', view: buckets.view, filter: { _id, revision: { $lt: revision } }, update: { $set: { ...rest, revision } }, upsert: true });
      }
      pending.clear();
    },
    docs: (view) => [...store(view).docs.values()].map((h) => h.doc),
    get: (view, id) => store(view).get(id)?.doc,
    get size() {
      let n = 0;
      for (const s of stores.values()) n += s.docs.size;
      return n;
    },
    takeChanges(pick) {
      views.settleBuckets();
      const out: ViewChanges[] = [];
      for (const [view, s] of stores) {
        const changes: ViewChanges = { view, inserts: [], replaces: [] };
        for (const held of s.docs.values()) {
          if (!held.dirty || (pick && !pick(stateOf(view, held)))) continue;
          // Shared, not copied: a later change copies it first (the caller writes it meanwhile).
          (held.persisted ? changes.replaces : changes.inserts).push(held.doc);
          held.shared = true;
          held.dirty = false;
          held.persisted = true;
        }
        if (changes.inserts.length + changes.replaces.length > 0) out.push(changes);
      }
      return out;
    },
    setClock(seq) {
      external = true;
      clock = seq;
    },
    load(view, docs) {
      const s = store(view);
      for (const doc of docs) s.load(doc);
    },
    evict(pick) {
      let n = 0;
      for (const [view, s] of stores) {
        // A list waiting for its refill is kept: the refill writes it as a replace of what is held.
        const waiting = view === projection.ranked?.view ? refills : undefined;
        for (const [k, held] of s.docs) {
          if (held.dirty || !pick(stateOf(view, held)) || waiting?.has(String(held.doc['_id']))) continue;
          s.remove(k, held);
          n++;
        }
      }
      return n;
    },
    minDirtySince() {
      let min: number | undefined;
      for (const s of stores.values()) for (const held of s.docs.values()) if (held.dirty && (min === undefined || held.dirtySince < min)) min = held.dirtySince;
      return min;
    },
    pendingBuckets: () => [...pending.values()],
    pendingRefills: () => [...refills.values()],
  };
  return views;
}

/**
 * Folds a projection over envelopes entirely in memory (no store): the documents the projection's
 * views would hold after exactly these events. Used for "as of" answers in the views' own shape.
 */
export function foldInMemory(projection: Projection, envelopes: Iterable<EventEnvelope>, opts: MemoryViewOptions = {}): MemoryViews {
  const views = createMemoryViews(projection, opts);
  views.project(envelopes);
  views.settleBuckets();
  return views;
}
