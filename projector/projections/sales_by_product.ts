import { z } from 'zod';
import type { EventEnvelope, EventType } from '../../contracts/index.ts';
import { isoInstant, parseDoc, pick, type BucketSpec, type Projection, type RecomputedBucket, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view of the per-SKU buckets that queries read. */
export const SALES_BY_PRODUCT_VIEW = 'sales_by_product';
/** Logical view of the per (order, sku) entries the buckets are recomputed from. */
export const SALES_ENTRIES_VIEW = 'sales_entries';

/** How many counted orders a bucket lists, newest first. */
export const RECENT_ORDERS = 10;

/** Events this projection reacts to. */
export const SALES_EVENTS = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'OrderRejected'] as const satisfies readonly EventType[];

/** A bucket: one SKU. */
export interface SalesKey {
  sku: string;
}

const Key = z.object({ sku: z.string().min(1) });

/**
 * One order's ABSOLUTE contribution to one SKU (`_id` = `${orderId}:${sku}`). Written
 * uncounted from OrderPlaced (the only event with lines), switched to counted by
 * OrderConfirmed and back by OrderCancelled(wasConfirmed) / OrderRejected. Every write
 * sets ALL mutable fields (`counted`, `countedAt`, `v`), so a write that lands after
 * skipping an earlier one (replay race) still leaves the in-order result. Never deleted.
 */
export interface SalesEntry extends SalesKey {
  _id: string;
  orderId: string;
  units: number;
  revenueMinor: number;
  currency: string;
  placedAt: string;
  counted: boolean;
  /** Confirmation time while counted, else null. */
  countedAt: string | null;
  v: number;
}

const Entry = Key.extend({
  _id: z.string(),
  orderId: z.string(),
  units: z.int(),
  revenueMinor: z.int(),
  currency: z.string(),
  placedAt: z.string(),
  counted: z.boolean(),
  countedAt: z.string().nullable(),
  v: z.int(),
});

/** The `sales_by_product` document (`_id` = sku): sums over counted entries. */
export interface SalesBucket extends SalesKey {
  _id: string;
  unitsSold: number;
  /** One sum per currency, sorted by currency; currencies are never mixed. */
  revenue: { currency: string; amountMinor: number }[];
  /** Last {@link RECENT_ORDERS} counted orders by confirmation time, newest first. */
  recentOrders: { orderId: string; units: number; at: string }[];
  /** Sum of ALL entries' `v` (counted or not, else uncounting would lower it). */
  revision: number;
}

/** Buckets by SKU (`_id`) and by volume; entries by bucket and by order. */
export const SALES_VIEWS: ViewSpec[] = [
  { name: SALES_BY_PRODUCT_VIEW, indexes: [{ key: { unitsSold: -1, _id: 1 }, name: 'top_sellers' }] },
  {
    name: SALES_ENTRIES_VIEW,
    indexes: [
      { key: { sku: 1 }, name: 'bucket' },
      { key: { orderId: 1 }, name: 'order' },
    ],
  },
];

/**
 * Write ops for one event. OrderPlaced: one guarded upsert per SKU (lines with the same
 * SKU are merged), each followed by a `recompute` of that SKU: totals do not move (entries
 * start uncounted) but the revision does, and recomputing after EVERY entry write is what
 * makes a bucket's final revision equal the sum of its entries' `v`. OrderConfirmed /
 * OrderCancelled(wasConfirmed) / OrderRejected: `updateMany` of the order's entries with
 * `{ orderId, v: { $lt: v } }` (no upsert: without lines there is nothing to create), then
 * `recomputeFromEntries` (the event does not name the SKUs).
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp (contracts validate them first).
 */
export function projectSalesByProduct(envelope: EventEnvelope): WriteOp[] {
  const e = pick(SALES_EVENTS, envelope);
  if (!e) return [];
  const v = e.streamVersion;
  const orderId = e.data.orderId;
  if (e.type === 'OrderPlaced') {
    const bySku = new Map<string, { units: number; revenueMinor: number }>();
    for (const l of e.data.lines) {
      const acc = bySku.get(l.sku) ?? { units: 0, revenueMinor: 0 };
      bySku.set(l.sku, { units: acc.units + l.quantity, revenueMinor: acc.revenueMinor + l.lineTotalMinor });
    }
    const placedAt = isoInstant(e.data.placedAt);
    return [...bySku].flatMap(([sku, sums]): WriteOp[] => {
      const _id = `${orderId}:${sku}`;
      const entry: Omit<SalesEntry, '_id'> = {
        orderId,
        sku,
        ...sums,
        currency: e.data.currency,
        placedAt,
        counted: false,
        countedAt: null,
        v,
      };
      return [
        { kind: 'update', view: SALES_ENTRIES_VIEW, filter: { _id, v: { $lt: v } }, update: { $set: entry }, upsert: true },
        { kind: 'recompute', view: SALES_BY_PRODUCT_VIEW, key: { sku } },
      ];
    });
  }
  if (e.type === 'OrderCancelled' && !e.data.wasConfirmed) return [];
  const counting = e.type === 'OrderConfirmed' ? { counted: true, countedAt: isoInstant(e.data.confirmedAt) } : { counted: false, countedAt: null };
  return [
    { kind: 'update', view: SALES_ENTRIES_VIEW, filter: { orderId, v: { $lt: v } }, update: { $set: { ...counting, v } }, many: true },
    { kind: 'recomputeFromEntries', view: SALES_BY_PRODUCT_VIEW, entries: { orderId } },
  ];
}

/** Filter selecting every entry of a bucket. */
export function entryFilter(key: SalesKey): { sku: string } {
  return { sku: key.sku };
}

/**
 * Folds a SKU's entries into its document. Entries of other SKUs are ignored; the result
 * does not depend on the entries' order (ties in `recentOrders` break on orderId).
 */
export function recomputeBucket(key: SalesKey, entries: readonly SalesEntry[]): RecomputedBucket<SalesBucket> {
  const mine = entries.filter((en) => en.sku === key.sku);
  const counted = mine.filter((en) => en.counted);
  const revenue = new Map<string, number>();
  for (const en of counted) revenue.set(en.currency, (revenue.get(en.currency) ?? 0) + en.revenueMinor);
  const recentOrders = counted
    .map((en) => ({ orderId: en.orderId, units: en.units, at: en.countedAt ?? en.placedAt }))
    .sort((a, b) => cmp(b.at, a.at) || cmp(b.orderId, a.orderId))
    .slice(0, RECENT_ORDERS);
  const revision = mine.reduce((n, en) => n + en.v, 0);
  const doc: SalesBucket = {
    _id: key.sku,
    sku: key.sku,
    unitsSold: counted.reduce((n, en) => n + en.units, 0),
    revenue: [...revenue]
      .sort(([a], [b]) => cmp(a, b))
      .map(([currency, amountMinor]) => ({ currency, amountMinor })),
    recentOrders,
    revision,
  };
  return { doc, revision };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adapter-facing bucket operations; validate what storage hands back. */
export const salesBuckets: BucketSpec = {
  view: SALES_BY_PRODUCT_VIEW,
  entriesView: SALES_ENTRIES_VIEW,
  entryFilter: (key) => entryFilter(parseDoc(Key, key, 'sales bucket key')),
  keyOfEntry: (entry) => ({ sku: parseDoc(Entry, entry, 'sales entry').sku }),
  recompute: (key, entries) => {
    const r = recomputeBucket(
      parseDoc(Key, key, 'sales bucket key'),
      entries.map((en) => parseDoc(Entry, en, 'sales entry')),
    );
    return { doc: { ...r.doc }, revision: r.revision };
  },
};

/** The sales_by_product projection (entries + recomputed buckets). */
export const salesByProductProjection: Projection = {
  name: 'sales_by_product',
  codeVersion: 1,
  views: SALES_VIEWS,
  handles: SALES_EVENTS,
  buckets: salesBuckets,
  project: projectSalesByProduct,
};
