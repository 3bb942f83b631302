import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contracts/envelope.ts';
import { projections, stampAdds, type Projection, type WriteOp } from '../projections/index.ts';
import { orderDetailProjection } from '../projections/order_detail.ts';
import { logArb } from '../../tests/support/projectionArbitraries.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced, stream } from '../../tests/support/projectionFixtures.ts';
import { salesByProductProjection } from '../projections/sales_by_product.ts';
import { getPath, matches, storedValue, type Doc } from './documentOps.ts';
import { createMemoryViews } from './memoryViews.ts';
import { createStreamingFold, type FoldStore, type StreamingFold } from './streamingFold.ts';
import { createSeenIds } from './seenIds.ts';

/** The store side of the fold, as plain maps: it refuses what the real store would refuse. */
function memoryStore() {
  const views = new Map<string, Map<string, Doc>>();
  const coll = (view: string) => {
    let c = views.get(view);
    if (!c) views.set(view, (c = new Map()));
    return c;
  };
  const key = (id: unknown) => JSON.stringify(id);
  let reads = 0;
  const port: FoldStore = {
    findById: (view, id) => {
      reads++;
      const d = coll(view).get(key(id));
      return Promise.resolve(d ? (storedValue(d) as Doc) : null);
    },
    findBy: (view, field, value) => {
      reads++;
      return Promise.resolve([...coll(view).values()].filter((d) => getPath(d, field) === value).map((d) => storedValue(d) as Doc));
    },
    newest: (view, q, accept, limit) => {
      reads++;
      const order = (a: Doc, b: Doc) => {
        for (const [f, dir] of Object.entries(q.sort)) {
          const [x, y] = [String(getPath(a, f)), String(getPath(b, f))];
          if (x !== y) return (x < y ? -1 : 1) * dir;
        }
        return 0;
      };
      const found = [...coll(view).values()].filter((d) => matches(d, q.filter)).sort(order).map((d) => storedValue(d) as Doc).filter(accept);
      return Promise.resolve(found.slice(0, limit));
    },
  };
  return {
    port,
    get reads() {
      return reads;
    },
    write(changes: { view: string; inserts: Doc[]; replaces: Doc[] }[]) {
      for (const c of changes) {
        for (const d of c.inserts) {
          if (coll(c.view).has(key(d['_id']))) throw new Error(`duplicate key ${c.view}/${key(d['_id'])}`);
          coll(c.view).set(key(d['_id']), d);
        }
        for (const d of c.replaces) {
          if (!coll(c.view).has(key(d['_id']))) throw new Error(`replace of a missing ${c.view}/${key(d['_id'])}`);
          coll(c.view).set(key(d['_id']), d);
        }
      }
    },
    sorted(view: string) {
      return [...coll(view).values()].sort((a, b) => (key(a['_id']) < key(b['_id']) ? -1 : 1));
    },
    all: () => views,
  };
}

const opsOf = (projection: Projection, e: EventEnvelope, i: number): WriteOp[] =>
  projection.handles.includes(e.type) ? stampAdds(projection.project(e), { shard: 'base', position: `1.${i + 1}` }) : [];

/** What folding the whole log in memory gives: the reference. */
function reference(projection: Projection, log: readonly EventEnvelope[], partitions?: number) {
  const m = createMemoryViews(projection, { partitions });
  log.forEach((e, i) => m.apply(opsOf(projection, e, i)));
  m.settleBuckets();
  return Object.fromEntries(projection.views.map((v) => [v.name, [...m.docs(v.name)].sort((a, b) => (JSON.stringify(a['_id']) < JSON.stringify(b['_id']) ? -1 : 1))]));
}

/** Streams `log` (from event index `from`) flushing every `every` events; optionally stops after `stopAfterFlushes`. */
async function replay(fold: StreamingFold, projection: Projection, log: readonly EventEnvelope[], store: ReturnType<typeof memoryStore>, every: number, from = 0, stopAfterFlushes = Infinity) {
  let flushes = 0;
  let flushedSeq = from;
  for (let i = from; i < log.length; i++) {
    const e = log[i];
    if (!e) continue;
    await fold.apply(opsOf(projection, e, i), i + 1);
    if ((i + 1) % every === 0) {
      fold.evict(i + 1);
      const f = await fold.takeFlush(i + 1);
      store.write(f.changes);
      flushedSeq = f.flushedSeq;
      if (++flushes >= stopAfterFlushes) return { flushedSeq, stopped: true };
    }
  }
  const f = await fold.takeFlush(log.length, { all: true });
  store.write(f.changes);
  return { flushedSeq: f.flushedSeq, stopped: false };
}

const asViews = (projection: Projection, store: ReturnType<typeof memoryStore>) => Object.fromEntries(projection.views.map((v) => [v.name, store.sorted(v.name)]));

describe('streaming fold: bounded memory, same documents as the whole-log fold', () => {
  it.each(projections.map((p) => [p.name, p] as const))('%s: any window, flushed documents read back from the store when touched again', async (_, projection) => {
    await fc.assert(fc.asyncProperty(logArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (log, window, every) => {
      const store = memoryStore();
      const fold = createStreamingFold(projection, store.port, { window, maxDirtyEvents: window * 2 });
      await replay(fold, projection, log, store, every);
      expect(asViews(projection, store)).toEqual(reference(projection, log));
    }), { numRuns: 60, seed: 7 });
  });

  it.each(projections.map((p) => [p.name, p] as const))('%s: killed after a flush, a new fold resumes from the flushed event and ends equal', async (_, projection) => {
    await fc.assert(fc.asyncProperty(logArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), async (log, window, stopAfter) => {
      const store = memoryStore();
      const first = await replay(createStreamingFold(projection, store.port, { window }), projection, log, store, 2, 0, stopAfter);
      if (first.stopped) {
        // The second run knows only the store and the flushed sequence number.
        const fold = createStreamingFold(projection, store.port, { window, startSeq: first.flushedSeq });
        for (const [view, docs] of store.all()) for (const d of docs.values()) fold.remember(view, d);
        await replay(fold, projection, log, store, 2, first.flushedSeq);
      }
      expect(asViews(projection, store)).toEqual(reference(projection, log));
    }), { numRuns: 60, seed: 11 });
  });

  it('finished documents are written once, by insert, and forgotten: memory stays bounded', async () => {
    const store = memoryStore();
    const fold = createStreamingFold(orderDetailProjection, store.port, { window: 40 });
    const log: EventEnvelope[] = [];
    for (let o = 0; o < 500; o++) log.push(...stream(`order-o${o}`, [orderPlaced(`o${o}`, { lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100 }] }), orderConfirmed(`o${o}`, 100)]));
    let peak = 0;
    let replaces = 0;
    for (let i = 0; i < log.length; i++) {
      const e = log[i];
      if (!e) continue;
      await fold.apply(opsOf(orderDetailProjection, e, i), i + 1);
      peak = Math.max(peak, fold.views.size);
      if ((i + 1) % 40 === 0) {
        fold.evict(i + 1);
        const f = await fold.takeFlush(i + 1);
        replaces += f.changes.reduce((n, c) => n + c.replaces.length, 0);
        store.write(f.changes);
      }
    }
    store.write((await fold.takeFlush(log.length, { all: true })).changes);
    expect(store.sorted('order_detail')).toHaveLength(500);
    expect(store.sorted('order_detail').every((d) => d['v'] === 2 && d['status'] === 'confirmed')).toBe(true);
    expect(replaces).toBe(0); // each order's two events are adjacent: written once, as an insert
    expect(store.reads).toBe(0); // nothing forgotten was touched again
    expect(peak).toBeLessThanOrEqual(3 * 40); // about three windows of documents, not 500
  });
});

describe('streaming fold of ranked lists (sales_by_product)', () => {
  it('refills a full list shard from the store when one of its newest leaves it, and ends equal to the whole-log fold', async () => {
    // 60 orders of one SKU, confirmed in order; every fifth then cancelled (often one of its shard's 10 newest).
    const log: EventEnvelope[] = [];
    for (let o = 0; o < 60; o++) log.push(...stream(`order-s${o}`, [orderPlaced(`s${o}`, { lines: [{ sku: 'A', quantity: 1 + (o % 3), unitPriceMinor: 100 }] }), orderConfirmed(`s${o}`, 100, `2024-03-01T12:${String(o).padStart(2, '0')}:00Z`)]));
    for (let o = 59; o >= 0; o -= 5) log.push(envelope(orderCancelled(`s${o}`, 100, true), `order-s${o}`, 3));
    for (const window of [3, 7, 20]) {
      const store = memoryStore();
      // Two partitions: about 30 orders per list shard, so full lists lose members to cancellations.
      const fold = createStreamingFold(salesByProductProjection, store.port, { window, partitions: 2 });
      await replay(fold, salesByProductProjection, log, store, window);
      expect(asViews(salesByProductProjection, store)).toEqual(reference(salesByProductProjection, log, 2));
      expect(fold.storeReads).toBeGreaterThan(0); // the refills and forgotten members were read back
      const lists = store.sorted('sales_recent');
      expect(new Set(lists.map((l) => l['shard'])).size).toBeGreaterThan(1); // one list per writer (partition)
    }
  });
});

describe('seen ids (Bloom filter)', () => {
  it('never forgets a key, and rarely claims one it never saw', () => {
    const seen = createSeenIds(1000);
    for (let i = 0; i < 20_000; i++) seen.add(`order_detail|_id|o-${i}`);
    for (let i = 0; i < 20_000; i++) expect(seen.mayHave(`order_detail|_id|o-${i}`)).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 20_000; i++) if (seen.mayHave(`order_detail|_id|x-${i}`)) falsePositives++;
    expect(falsePositives / 20_000).toBeLessThan(0.05);
    expect(seen.bytes).toBeLessThan(20_000 * 4); // a few bytes per key, not the document
  });
});
