import { describe, expect, it } from 'vitest';
import { createViewCache, type CacheChange, type ReadFloor } from './viewCache.ts';

const TP = 'orders.events:0';
const P = 'order_detail';
const doc = (id: string, v: number) => ({ _id: id, v, status: `s${v}` });
const at = (n: number) => `${n}.${n}`;
const floorAt = (n: number): ReadFloor => [[P, TP, at(n)]];

/** A store read the test resolves by hand, counting how often the cache asked. */
function store() {
  const pending: ((d: object | null) => void)[] = [];
  let reads = 0;
  return {
    load: () => {
      reads++;
      return new Promise<object | null>((resolve) => pending.push(resolve));
    },
    resolveNext: (d: object | null) => pending.shift()?.(d),
    /** Resolves the read at `i` of those still pending (out of order). */
    resolveAt: (i: number, d: object | null) => pending.splice(i, 1)[0]?.(d),
    reads: () => reads,
  };
}

/** Notifications of one writer, each with `after` = the previous one's position. */
function writer(projection = P, generation = 1) {
  let last: string | undefined;
  return (pos: number, ids: string[]): CacheChange => {
    const c: CacheChange = { projection, generation, touched: { [projection]: ids }, positions: { [TP]: at(pos) }, ...(last !== undefined && { after: { [TP]: last } }) };
    last = at(pos);
    return c;
  };
}

describe('view cache', () => {
  it('serves a second read of a key from memory (one store read)', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const first = cache.get(P, P, 'a', undefined, s.load);
    s.resolveNext(doc('a', 1));
    expect(await first).toEqual(doc('a', 1));
    expect(await cache.get(P, P, 'a', undefined, s.load)).toEqual(doc('a', 1));
    expect(s.reads()).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it('position guard: a read whose floor the cache has not applied goes to the store, then the cache serves it once covered', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const w = writer();
    cache.apply(w(5, ['x']));
    const warm = cache.get(P, P, 'a', undefined, s.load);
    s.resolveNext(doc('a', 1));
    await warm;
    // The tracker may know position 7 from a checkpoint poll; the cache has applied only 5: no hit.
    const stale = cache.get(P, P, 'a', floorAt(7), s.load);
    expect(s.reads()).toBe(2);
    s.resolveNext(doc('a', 2));
    expect(await stale).toEqual(doc('a', 2));
    cache.apply(w(7, ['b']));
    expect(cache.covers(floorAt(7))).toBe(true);
    expect(await cache.get(P, P, 'a', floorAt(7), s.load)).toEqual(doc('a', 2));
    expect(s.reads()).toBe(2);
  });

  it('invalidation guard: a read in flight when its key changes neither fills the cache nor is joined', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const w = writer();
    cache.apply(w(1, ['other']));
    const old = cache.get(P, P, 'a', undefined, s.load); // reads the store before the write lands
    cache.apply(w(2, ['a'])); // the write of position 2 is notified while that read is in flight
    const fresh = cache.get(P, P, 'a', floorAt(2), s.load); // must not join the older read
    expect(s.reads()).toBe(2);
    s.resolveNext(doc('a', 1));
    expect(await old).toEqual(doc('a', 1));
    s.resolveNext(doc('a', 2));
    expect(await fresh).toEqual(doc('a', 2));
    expect(await cache.get(P, P, 'a', floorAt(2), s.load)).toEqual(doc('a', 2));
    expect(s.reads()).toBe(2);
  });

  it('invalidation guard: the older document never lands after the notification, even when no newer read follows', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const w = writer();
    cache.apply(w(1, ['other']));
    const old = cache.get(P, P, 'a', undefined, s.load);
    cache.apply(w(2, ['a']));
    s.resolveNext(doc('a', 1));
    await old;
    const next = cache.get(P, P, 'a', floorAt(2), s.load);
    expect(s.reads()).toBe(2);
    s.resolveNext(doc('a', 2));
    expect(await next).toEqual(doc('a', 2));
  });

  it('version guard: a slower, older read never replaces a newer cached document', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    // Two reads with floors the cache does not cover: each goes to the store on its own.
    const slow = cache.get(P, P, 'a', floorAt(9), s.load);
    const fast = cache.get(P, P, 'a', floorAt(9), s.load);
    expect(s.reads()).toBe(2);
    s.resolveAt(1, doc('a', 2)); // the second read answers first, with the newer document
    expect(await fast).toEqual(doc('a', 2));
    s.resolveAt(0, doc('a', 1)); // then the first, with the older one
    expect(await slow).toEqual(doc('a', 1));
    // The cache keeps v2.
    expect(await cache.get(P, P, 'a', undefined, s.load)).toEqual(doc('a', 2));
    expect(s.reads()).toBe(2);
  });

  it('a gap in the notifications (a lost one, a new writer) drops the projection: its entries may be stale', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const w = writer();
    cache.apply(w(1, ['z']));
    const warm = cache.get(P, P, 'a', undefined, s.load);
    s.resolveNext(doc('a', 1));
    await warm;
    w(2, ['a']); // sent by the projector, never received
    cache.apply(w(3, ['b'])); // after = 2, the cache last applied 1
    expect(cache.stats().resets).toBe(2); // the first notification (nothing known before) and this gap
    const again = cache.get(P, P, 'a', floorAt(2), s.load);
    expect(s.reads()).toBe(2);
    s.resolveNext(doc('a', 2));
    expect(await again).toEqual(doc('a', 2));
  });

  it('a generation switch drops the projection', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const g1 = writer(P, 1);
    cache.apply(g1(1, ['z']));
    const warm = cache.get(P, P, 'a', undefined, s.load);
    s.resolveNext(doc('a', 1));
    await warm;
    const g2 = writer(P, 2);
    g2(1, []);
    cache.apply({ ...g2(2, ['q']), after: { [TP]: at(1) } }); // contiguous positions, new generation
    void cache.get(P, P, 'a', undefined, s.load);
    expect(s.reads()).toBe(2);
  });

  it('evicts the least recently used entry past its bound and counts it', async () => {
    const evicted: string[] = [];
    const cache = createViewCache({ maxEntries: 2, maxBytes: 1 << 20, onEvict: (v) => evicted.push(v) });
    for (const id of ['a', 'b', 'c']) {
      const r = cache.get(P, P, id, undefined, () => Promise.resolve(doc(id, 1)));
      await r;
    }
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 1 });
    expect(evicted).toEqual([P]);
  });

  it('bounds its bytes too', async () => {
    const cache = createViewCache({ maxEntries: 1000, maxBytes: 2000 });
    for (let i = 0; i < 50; i++) await cache.get(P, P, `k${i}`, undefined, () => Promise.resolve({ _id: `k${i}`, v: 1, pad: 'x'.repeat(200) }));
    expect(cache.stats().bytes).toBeLessThanOrEqual(2000);
    expect(cache.stats().evictions).toBeGreaterThan(0);
  });

  it('with 0 entries it is off: every read goes to the store', async () => {
    const cache = createViewCache({ maxEntries: 0, maxBytes: 1 << 20 });
    let reads = 0;
    const load = () => Promise.resolve((reads++, doc('a', 1)));
    await cache.get(P, P, 'a', undefined, load);
    await cache.get(P, P, 'a', undefined, load);
    expect(reads).toBe(2);
  });

  it('caches a missing document too, until a notification names it', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const w = writer();
    cache.apply(w(1, []));
    let reads = 0;
    const load = () => Promise.resolve(reads++ === 0 ? null : doc('a', 1));
    expect(await cache.get(P, P, 'a', undefined, load)).toBeNull();
    expect(await cache.get(P, P, 'a', floorAt(1), load)).toBeNull();
    cache.apply(w(2, ['a']));
    expect(await cache.get(P, P, 'a', floorAt(2), load)).toEqual(doc('a', 1));
    expect(reads).toBe(2);
  });

  it('peek answers only what get would answer from memory (held, floor covered), with no store read', async () => {
    const cache = createViewCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const s = store();
    const w = writer();
    expect(cache.peek(P, 'a', undefined)).toBeUndefined(); // not held
    cache.apply(w(5, ['x']));
    const warm = cache.get(P, P, 'a', undefined, s.load);
    expect(cache.peek(P, 'a', undefined)).toBeUndefined(); // a read in flight is not an answer
    s.resolveNext(doc('a', 1));
    await warm;
    expect(cache.peek(P, 'a', floorAt(5))).toEqual(doc('a', 1));
    expect(cache.peek(P, 'a', floorAt(7))).toBeUndefined(); // position guard
    cache.apply(w(7, ['a']));
    expect(cache.peek(P, 'a', undefined)).toBeUndefined(); // invalidated by the notification
    const none = cache.get(P, P, 'b', undefined, s.load);
    s.resolveNext(null);
    await none;
    expect(cache.peek(P, 'b', undefined)).toBeNull(); // a cached "none"
    expect(s.reads()).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
    const off = createViewCache({ maxEntries: 0, maxBytes: 1 << 20 });
    expect(off.peek(P, 'a', undefined)).toBeUndefined();
  });
});
