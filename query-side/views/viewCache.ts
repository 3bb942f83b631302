import { LRUCache } from 'lru-cache';
import { comparePositionText } from '../../contracts/index.ts';
import type { ViewChanged } from '../../projector/index.ts';

/** A cached view document (`null`: the store had none) with the version it was read at. */
interface Entry {
  projection: string;
  doc: object | null;
  /** The document's `v` (-1 for a missing document), for the version guard. */
  v: number;
}

/** One in-flight store read of a key; `dirty` once a change notification for that key arrived meanwhile. */
interface Flight {
  dirty: boolean;
}

/** A read's freshness floor: "topic:partition" → the log position the read must reflect, per projection. */
export type ReadFloor = readonly (readonly [projection: string, topicPartition: string, position: string])[];

/** What a "view changed" notification tells the cache: the fields it uses of the projector's own type. */
export type CacheChange = Pick<ViewChanged, 'projection' | 'generation' | 'touched' | 'positions' | 'after'>;

/** Counters a metrics adapter reads (the cache itself does no I/O). */
export interface ViewCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Times a whole projection was dropped (gap in the notifications, generation switch). */
  resets: number;
  entries: number;
  bytes: number;
}

/** Bounds of the cache. `maxEntries` 0 turns it off (every read goes to the store). */
export interface ViewCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** Called per evicted entry (LRU pressure), with its view. */
  onEvict?: (view: string) => void;
  /** Called per lookup, with its view and whether the cache answered it. */
  onLookup?: (view: string, hit: boolean) => void;
}

const keyOf = (view: string, id: string) => `${view}\u0000${id}`;
const viewOfKey = (key: string) => key.slice(0, key.indexOf('\u0000'));
const versionOf = (doc: object | null): number => {
  const v = doc && 'v' in doc ? doc.v : undefined;
  return typeof v === 'number' ? v : -1;
};
/** Approximate heap bytes of a document (UTF-16 JSON plus the entry's overhead): good enough to bound memory. */
const sizeOf = (e: Entry) => 2 * (JSON.stringify(e.doc)?.length ?? 4) + 64;

/**
 * A per-process LRU of view documents, kept current by "view changed" notifications, with the
 * guards that keep `consistentWith` exact:
 * - **position guard**: per projection and partition the cache knows up to which log position it has
 *   applied every notification, without a gap; a read with a floor is answered from the cache only
 *   when that position covers the floor (else the store is read);
 * - **invalidation guard**: a store read that was in flight when a notification touched its key does
 *   not fill the cache (it may hold the older document), and later reads do not join it;
 * - **version guard**: a fill never replaces a newer cached document (higher `v`) with an older one.
 * A notification whose `after` does not match what the cache last applied for that partition (a lost
 * notification, a new writer after a rebalance) or whose generation differs drops that projection's
 * entries: the cache cannot know which of them are stale. Pure (no I/O): the reader adapter does the reads.
 */
export function createViewCache(opts: ViewCacheOptions) {
  const enabled = opts.maxEntries > 0;
  const lru = new LRUCache<string, Entry>({
    max: Math.max(1, opts.maxEntries),
    maxSize: Math.max(1, opts.maxBytes),
    sizeCalculation: sizeOf,
    dispose: (_e, key, reason) => {
      if (reason === 'evict') {
        stats.evictions++;
        opts.onEvict?.(viewOfKey(key));
      }
    },
  });
  const known = new Map<string, Map<string, string>>();
  const generations = new Map<string, number>();
  const flights = new Map<string, Set<Flight>>();
  const shared = new Map<string, { flight: Flight; promise: Promise<object | null> }>();
  const stats = { hits: 0, misses: 0, evictions: 0, resets: 0 };
  /** The projection of each key with a read in flight (to mark them on a drop). */
  const keyProjection = new Map<string, string>();

  function invalidate(key: string): void {
    lru.delete(key);
    for (const f of flights.get(key) ?? []) f.dirty = true;
    shared.delete(key);
  }

  function dropProjection(projection: string): void {
    stats.resets++;
    for (const [key, e] of lru.entries()) if (e.projection === projection) lru.delete(key);
    for (const [key, set] of flights) {
      if (keyProjection.get(key) !== projection) continue;
      for (const f of set) f.dirty = true;
      shared.delete(key);
    }
  }

  function covers(floor: ReadFloor | undefined): boolean {
    if (!floor) return true;
    return floor.every(([projection, tp, pos]) => {
      const at = known.get(projection)?.get(tp);
      return at !== undefined && comparePositionText(at, pos) >= 0;
    });
  }

  function fill(projection: string, key: string, doc: object | null): void {
    const cur = lru.peek(key);
    const v = versionOf(doc);
    if (cur && cur.v > v) return; // version guard
    lru.set(key, { projection, doc, v });
  }

  /** Reads `key` from the store through `load`, tracking the flight for the invalidation guard. */
  function fly(projection: string, key: string, load: () => Promise<object | null>): { flight: Flight; promise: Promise<object | null> } {
    const flight: Flight = { dirty: false };
    const set = flights.get(key) ?? new Set<Flight>();
    set.add(flight);
    flights.set(key, set);
    keyProjection.set(key, projection);
    const done = () => {
      set.delete(flight);
      if (set.size === 0) {
        flights.delete(key);
        keyProjection.delete(key);
      }
      if (shared.get(key)?.flight === flight) shared.delete(key);
    };
    const promise = load().then(
      (doc) => {
        if (!flight.dirty) fill(projection, key, doc); // invalidation guard
        done();
        return doc;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
    return { flight, promise };
  }

  return {
    /**
     * The document `id` of `view`: from the cache when present and `floor` is covered, else from
     * `load` (one shared read per key while no notification intervenes). `null` when there is none.
     * @throws whatever `load` throws (nothing is cached then).
     */
    async get<T extends object>(projection: string, view: string, id: string, floor: ReadFloor | undefined, load: () => Promise<T | null>): Promise<T | null> {
      if (!enabled) return load();
      const key = keyOf(view, id);
      const fresh = covers(floor);
      if (fresh) {
        const hit = lru.get(key);
        if (hit) {
          stats.hits++;
          opts.onLookup?.(view, true);
          return hit.doc as T | null;
        }
        const pending = shared.get(key);
        if (pending && !pending.flight.dirty) {
          stats.hits++;
          opts.onLookup?.(view, true);
          return (await pending.promise) as T | null;
        }
      }
      stats.misses++;
      opts.onLookup?.(view, false);
      const f = fly(projection, key, load);
      // A read for an uncovered floor does not become the shared read: later readers may have lower floors, never higher ones it missed.
      if (fresh) shared.set(key, f);
      return (await f.promise) as T | null;
    },

    /**
     * The document `id` of `view` when the cache can answer at once (held, and `floor` covered: the
     * same guards as {@link get}), with no store read and no promise: `null` for a cached "none",
     * undefined when only `get` can answer (not counted then: `get` counts the lookup).
     */
    peek<T extends object>(view: string, id: string, floor: ReadFloor | undefined): T | null | undefined {
      if (!enabled || !covers(floor)) return undefined;
      const hit = lru.get(keyOf(view, id));
      if (!hit) return undefined;
      stats.hits++;
      opts.onLookup?.(view, true);
      return hit.doc as T | null;
    },

    /** Applies a notification: drops what it touched and moves the known positions. Call it before the tracker sees it. */
    apply(change: CacheChange): void {
      if (!enabled) return;
      const gen = generations.get(change.projection);
      const mine = known.get(change.projection) ?? new Map<string, string>();
      known.set(change.projection, mine);
      let gap = gen !== undefined && gen !== change.generation;
      for (const tp of Object.keys(change.positions)) {
        const before = change.after?.[tp];
        if (before === undefined || mine.get(tp) !== before) gap = true;
      }
      generations.set(change.projection, change.generation);
      if (gap) dropProjection(change.projection);
      else for (const [view, ids] of Object.entries(change.touched)) for (const id of ids) invalidate(keyOf(view, id));
      for (const [tp, pos] of Object.entries(change.positions)) {
        const cur = mine.get(tp);
        // A redelivered (older) notification never moves a position back; its writer's next `after` then mismatches: another drop, safe.
        if (cur === undefined || comparePositionText(pos, cur) > 0) mine.set(tp, pos);
      }
    },

    /** Whether a read with `floor` may be answered from the cache (position guard). */
    covers,

    /** Counters and sizes. */
    stats(): ViewCacheStats {
      return { ...stats, entries: lru.size, bytes: lru.calculatedSize };
    },
  };
}

/** The cache's public face. */
export type ViewCache = ReturnType<typeof createViewCache>;
