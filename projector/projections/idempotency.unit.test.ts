import fc from 'fast-check';
import { comparePositionText } from '../../contracts/index.ts';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eventOf, type EventEnvelope } from '../../contracts/envelope.ts';
import { projections } from './index.ts';
import { bucketId, rankOrder, rerank, resolveAdds, stampAdds, sumShards, type Projection, type RankItem, type RecomputedBucket, type WriteOp } from './projection.ts';
import { deliveryArb, liveDeliveries, logArb, type Delivery } from '../../tests/support/projectionArbitraries.ts';
import { REVENUE_SHARDS } from './revenue_by_day.ts';
import { SALES_SHARDS } from './sales_by_product.ts';

// Reference semantics of the write ops over plain objects: the Mongo behaviour the adapter
// relies on (guarded update, duplicate key on insert/upsert, revision-guarded bucket $set).
// Lives only here: it is the oracle for the pure layer, not a substitute for the int tests.
type Doc = Record<string, unknown>;
type Store = Map<string, Map<string, Doc>>;
type Step = () => void;

const isRecord = (x: unknown): x is Doc => typeof x === 'object' && x !== null && !Array.isArray(x);
const isOperator = (x: unknown): x is Doc => isRecord(x) && Object.keys(x).some((k) => k.startsWith('$'));
const clone = <T>(x: T): T => structuredClone(x);

function coll(store: Store, view: string): Map<string, Doc> {
  const c = store.get(view) ?? new Map<string, Doc>();
  store.set(view, c);
  return c;
}

function lt(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string') ? a < b : false;
}

function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([k, cond]) => {
    if (!isOperator(cond)) return isDeepStrictEqual(doc[k], cond);
    return Object.entries(cond).every(([op, arg]) => {
      if (op === '$lt') return lt(doc[k], arg);
      throw new Error(`applier: unsupported filter operator ${op}`);
    });
  });
}

function applyUpdate(doc: Doc, update: Doc): Doc {
  const out = clone(doc);
  for (const [op, fields] of Object.entries(update)) {
    if (!isRecord(fields)) throw new Error(`applier: ${op} needs an object`);
    for (const [k, val] of Object.entries(fields)) {
      const cur = out[k];
      if (op === '$set') out[k] = clone(val);
      else if (op === '$inc' && typeof val === 'number') out[k] = (typeof cur === 'number' ? cur : 0) + val;
      else if (op === '$push') out[k] = [...(Array.isArray(cur) ? cur : []), clone(val)];
      else throw new Error(`applier: unsupported update ${op}.${k}`);
    }
  }
  return out;
}

function idOf(doc: Doc): string {
  if (typeof doc['_id'] !== 'string') throw new Error('applier: docs need a string _id');
  return doc['_id'];
}

/** One op as steps; a recompute reads in one step and writes in the next (not atomic). */
function stepsOf(p: Projection, store: Store, op: WriteOp): Step[] {
  if (!p.views.some((v) => v.name === op.view)) throw new Error(`${p.name} wrote to foreign view ${op.view}`);
  switch (op.kind) {
    case 'insert':
      return [() => void (coll(store, op.view).has(idOf(op.doc)) || coll(store, op.view).set(idOf(op.doc), clone(op.doc)))];
    case 'update':
      return [
        () => {
          const c = coll(store, op.view);
          const hit = [...c.values()].filter((d) => matches(d, op.filter));
          for (const d of op.many ? hit : hit.slice(0, 1)) c.set(idOf(d), applyUpdate(d, op.update));
          if (hit.length > 0 || !op.upsert) return;
          const base = Object.fromEntries(Object.entries(op.filter).filter(([, v]) => !isOperator(v)));
          const doc = applyUpdate(base, op.update);
          if (!c.has(idOf(doc))) c.set(idOf(doc), doc); // else: duplicate key = already applied
        },
      ];
    case 'recompute':
    case 'recomputeFromEntries': {
      const spec = p.buckets;
      if (!spec || spec.view !== op.view) throw new Error(`${p.name} has no buckets for ${op.view}`);
      const entries = (f: Doc): Doc[] => [...coll(store, spec.entriesView).values()].filter((d) => matches(d, f)).map(clone);
      let results: RecomputedBucket[] = [];
      const read = (): void => {
        const keys = op.kind === 'recompute' ? [op.key] : entries(op.entries).map((en) => spec.keyOfEntry(en));
        const unique = [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
        results = unique.map((k) => spec.recompute(k, entries(spec.entryFilter(k))));
      };
      const write = (): void => {
        for (const r of results) {
          const stored = coll(store, spec.view).get(r.doc._id);
          const rev = stored?.['revision'];
          if (!stored || (typeof rev === 'number' && rev < r.revision)) coll(store, spec.view).set(r.doc._id, clone(r.doc));
        }
      };
      return [read, write];
    }
    case 'add': {
      const spec = p.sharded;
      if (!spec || spec.view !== op.view || !op.at) throw new Error(`${p.name}: unstamped add or no sharded view ${op.view}`);
      const at = op.at;
      return [
        () => {
          const via = op.via ? coll(store, op.via.view).get(op.via.id) : undefined;
          for (const { key, add } of resolveAdds(spec, op, via)) {
            const id = `${bucketId(spec, key)}#${at.shard}`;
            const cur = coll(store, spec.view).get(id);
            if (cur && comparePositionText(at.position, String(cur['pos'])) <= 0) continue; // position guard: already added
            const sums = Object.fromEntries(spec.sumFields.map((f) => [f, (typeof cur?.[f] === 'number' ? cur[f] : 0) + (add[f] ?? 0)]));
            coll(store, spec.view).set(id, { _id: id, ...key, shard: at.shard, pos: at.position, ...sums });
          }
        },
      ];
    }
    case 'rank': {
      const spec = p.ranked;
      if (!spec || spec.view !== op.view) throw new Error(`${p.name}: no ranked view ${op.view}`);
      return [
        () => {
          const member = coll(store, spec.members).get(op.member);
          if (!member) return;
          for (const bucket of spec.bucketsOf(member)) {
            const current = (coll(store, spec.view).get(bucket)?.['items'] ?? []) as RankItem[];
            const ranked = rerank(current, new Map([[op.member, spec.itemOf(member, bucket)]]), spec.size);
            const items = !ranked.refill ? ranked.items : [...coll(store, spec.members).values()].flatMap((m) => (spec.bucketsOf(m).includes(bucket) ? (spec.itemOf(m, bucket) ?? []) : [])).sort(rankOrder).slice(0, spec.size);
            coll(store, spec.view).set(bucket, { _id: bucket, items: clone(items) });
          }
        },
      ];
    }
  }
}

/** Log positions of the events (one writer, one shard: what a partition's live writer and a drain share). */
const positions = new Map<string, string>();
function positioned(log: readonly EventEnvelope[]): readonly EventEnvelope[] {
  log.forEach((e, i) => positions.set(e.eventId, `1.${i + 1}`));
  return log;
}

function stepsFor(p: Projection, store: Store, deliveries: readonly EventEnvelope[]): Step[] {
  return deliveries.flatMap((e) => stampAdds(p.project(e), { shard: 'p0', position: positions.get(e.eventId) ?? '' }).flatMap((op) => stepsOf(p, store, op)));
}

function snapshot(store: Store): Record<string, Doc[]> {
  const views = [...store].filter(([, c]) => c.size > 0).map(([v, c]) => [v, [...c.values()].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1))]);
  return Object.fromEntries(views.sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/** Applies the log once, in order, op by op. */
function onceInOrder(p: Projection, log: readonly EventEnvelope[]): Store {
  positioned(log);
  const store: Store = new Map();
  for (const step of stepsFor(p, store, log)) step();
  return store;
}

/** Replay (whole log, in order) and live (at-least-once) race step by step on one store. */
function raced(p: Projection, log: readonly EventEnvelope[], d: Delivery): Store {
  positioned(log);
  const store: Store = new Map();
  const live = stepsFor(p, store, liveDeliveries(log, d));
  const replay = d.withReplay ? stepsFor(p, store, log) : [];
  // Sums of a sharded view: the live writer and a drain share a shard, so the hand-over protocol
  // (a marker the live writer waits on) lets the drain finish first; other views race freely.
  const serial = p.sharded !== undefined;
  let i = 0;
  while (live.length > 0 || replay.length > 0) {
    const fromLive = replay.length === 0 || (!serial && live.length > 0 && (d.interleave[i++] ?? i % 2 === 0));
    (fromLive ? live : replay).shift()?.();
  }
  return store;
}

const byName = (name: string): Projection => {
  const p = projections.find((x) => x.name === name);
  if (!p) throw new Error(`no projection ${name}`);
  return p;
};

describe('idempotency under duplicates and a replay racing the live projector', () => {
  it.each(projections.map((p) => [p.name]))('%s: any delivery converges to the once-in-order result', (name) => {
    const p = byName(name);
    fc.assert(
      fc.property(logArb, deliveryArb, (log, d) => {
        expect(snapshot(raced(p, log, d))).toEqual(snapshot(onceInOrder(p, log)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the once-in-order result matches an independent fold of the log', () => {
  it("per-stream docs reach each stream's last version; counters, revenue and units agree", () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const detail = coll(onceInOrder(byName('order_detail'), log), 'order_detail');
        const inv = coll(onceInOrder(byName('inventory'), log), 'inventory');
        const revenueByDay = byName('revenue_by_day');
        const revenue = new Map(sumShards(revenueByDay.sharded ?? REVENUE_SHARDS, [...coll(onceInOrder(revenueByDay, log), 'revenue_by_day').values()]).map((b) => [String(b['_id']), b]));
        const salesByProduct = byName('sales_by_product');
        const salesStore = onceInOrder(salesByProduct, log);
        const sales = sumShards(SALES_SHARDS, [...coll(salesStore, 'sales_by_product').values()]); // one bucket per (sku, currency)
        const last = new Map<string, number>();
        const history = new Map<string, number>();
        const stock = new Map<string, { onHand: number; reserved: number }>();
        const buckets = new Map<string, { grossMinor: number; refundedMinor: number; orderCount: number; cancelledCount: number }>();
        const confirmedIn = new Map<string, string>();
        const confirmedAt = new Map<string, string>();
        const lines = new Map<string, { sku: string; quantity: number }[]>();
        const counted = new Set<string>();
        for (const e of log) {
          last.set(e.streamId, e.streamVersion);
          const ev = eventOf(e);
          if (['OrderPlaced', 'OrderConfirmed', 'OrderRejected', 'OrderShipped', 'OrderCancelled'].includes(ev.type)) {
            history.set(e.streamId, (history.get(e.streamId) ?? 0) + 1);
          }
          const s = 'sku' in ev.data ? (stock.get(ev.data.sku) ?? { onHand: 0, reserved: 0 }) : undefined;
          if (s && 'sku' in ev.data) stock.set(ev.data.sku, s);
          if (ev.type === 'StockRestocked' && s) s.onHand += ev.data.quantity;
          if (ev.type === 'StockAdjusted' && s) s.onHand += ev.data.delta;
          if (ev.type === 'StockReserved' && s) s.reserved += ev.data.quantity;
          if (ev.type === 'StockReleased' && s) s.reserved -= ev.data.quantity;
          if (ev.type === 'StockCommitted' && s) {
            s.onHand -= ev.data.quantity;
            s.reserved -= ev.data.quantity;
          }
          if (ev.type === 'OrderPlaced') lines.set(ev.data.orderId, ev.data.lines);
          if (ev.type === 'OrderConfirmed') {
            const key = `${new Date(ev.data.confirmedAt).toISOString().slice(0, 10)}:${ev.data.currency}`;
            const b = buckets.get(key) ?? { grossMinor: 0, refundedMinor: 0, orderCount: 0, cancelledCount: 0 };
            buckets.set(key, { ...b, grossMinor: b.grossMinor + ev.data.totalMinor, orderCount: b.orderCount + 1 });
            confirmedIn.set(ev.data.orderId, key);
            confirmedAt.set(ev.data.orderId, new Date(ev.data.confirmedAt).toISOString());
            counted.add(ev.data.orderId);
          }
          if (ev.type === 'OrderCancelled' && ev.data.wasConfirmed) {
            const key = confirmedIn.get(ev.data.orderId) ?? '';
            const b = buckets.get(key);
            if (b) buckets.set(key, { ...b, refundedMinor: b.refundedMinor + ev.data.totalMinor, cancelledCount: b.cancelledCount + 1 });
            counted.delete(ev.data.orderId);
          }
        }
        for (const [sid, v] of last) {
          const view = sid.startsWith('order-') ? detail : inv;
          expect(view.get(sid.replace(/^(order|inventory)-/, ''))?.['v']).toBe(v);
        }
        for (const [sid, n] of history) expect(detail.get(sid.slice('order-'.length))?.['statusHistory']).toHaveLength(n);
        for (const [sku, s] of stock) expect(inv.get(sku)).toMatchObject({ ...s, available: s.onHand - s.reserved });
        expect(revenue.size).toBe(buckets.size);
        for (const [id, b] of buckets) expect(revenue.get(id)).toMatchObject({ ...b, netMinor: b.grossMinor - b.refundedMinor });
        const units = new Map<string, number>();
        for (const id of counted) for (const l of lines.get(id) ?? []) units.set(l.sku, (units.get(l.sku) ?? 0) + l.quantity);
        const unitsOf = new Map<string, number>();
        for (const b of sales) unitsOf.set(String(b['sku']), (unitsOf.get(String(b['sku'])) ?? 0) + Number(b['unitsSold']));
        for (const [sku, n] of unitsOf) expect(n).toBe(units.get(sku) ?? 0);
        for (const [sku, list] of coll(salesStore, 'sales_recent')) {
          const expected = [...counted].filter((id) => (lines.get(id) ?? []).some((l) => l.sku === sku)).sort((a, b) => (confirmedAt.get(b) ?? '').localeCompare(confirmedAt.get(a) ?? '') || b.localeCompare(a)).slice(0, 10);
          expect((list['items'] as RankItem[]).map((it) => it.id)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
