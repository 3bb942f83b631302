import { z } from 'zod';
import type { EventEnvelope, EventType } from '../../contracts/index.ts';
import { parseDoc, pick, utcDay, type BucketSpec, type Projection, type RecomputedBucket, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view of the per (day, currency) buckets that queries read. */
export const REVENUE_BY_DAY_VIEW = 'revenue_by_day';
/** Logical view of the per-order entries the buckets are recomputed from. */
export const REVENUE_ENTRIES_VIEW = 'revenue_entries';

/** Events this projection reacts to (other order events do not move revenue). */
export const REVENUE_EVENTS = ['OrderConfirmed', 'OrderCancelled'] as const satisfies readonly EventType[];

/** A bucket: one UTC calendar day (of confirmation) in one currency. */
export interface RevenueKey {
  day: string;
  currency: string;
}

const Key = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), currency: z.string().min(1) });

/**
 * One order's ABSOLUTE contribution to its confirmation day's bucket (`_id` = orderId).
 * Semantics, all in integer minor units:
 * - OrderConfirmed: `grossMinor = netMinor = totalMinor`, `refundedMinor = 0`,
 *   `orderCount = 1`, `cancelledCount = 0`; `day` = UTC day of `confirmedAt`.
 * - OrderCancelled with `wasConfirmed`: the SAME entry (same day, not the cancellation day)
 *   becomes `refundedMinor = totalMinor`, `netMinor = 0`, `cancelledCount = 1`; gross and
 *   `orderCount` stay, so a bucket shows what was sold, what was given back, and the net.
 * - Orders cancelled or rejected before confirmation never get an entry.
 * Entries are never deleted; `v` is the order streamVersion of the last applied write.
 */
export interface RevenueEntry extends RevenueKey {
  _id: string;
  orderId: string;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
  orderCount: number;
  cancelledCount: number;
  v: number;
}

const Entry = Key.extend({
  _id: z.string(),
  orderId: z.string(),
  grossMinor: z.int(),
  refundedMinor: z.int(),
  netMinor: z.int(),
  orderCount: z.int(),
  cancelledCount: z.int(),
  v: z.int(),
});

/** The `revenue_by_day` document: sums of its entries. `_id` = `${day}:${currency}`. */
export interface RevenueBucket extends RevenueKey {
  _id: string;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
  orderCount: number;
  cancelledCount: number;
  /** Sum of the entries' `v`; the adapter replaces the doc only with a higher revision. */
  revision: number;
}

/** Buckets are read by day range; entries are read by bucket. */
export const REVENUE_VIEWS: ViewSpec[] = [
  { name: REVENUE_BY_DAY_VIEW, indexes: [{ key: { day: 1, currency: 1 }, name: 'day_currency' }] },
  { name: REVENUE_ENTRIES_VIEW, indexes: [{ key: { day: 1, currency: 1 }, name: 'bucket' }] },
];

/**
 * Write ops for one event. OrderConfirmed: guarded upsert of the entry
 * (`{ _id, v: { $lt: v } }`) then `recompute` of its bucket. OrderCancelled with
 * `wasConfirmed`: guarded update of the entry WITHOUT upsert (the event does not carry
 * the confirmation day; if the entry is missing, the confirmation has not been applied and
 * the in-order applier will get here again) then `recomputeFromEntries` of that entry.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable `confirmedAt` (contracts validate it first).
 */
export function projectRevenueByDay(envelope: EventEnvelope): WriteOp[] {
  const e = pick(REVENUE_EVENTS, envelope);
  if (!e) return [];
  const v = e.streamVersion;
  const filter = { _id: e.data.orderId, v: { $lt: v } };
  if (e.type === 'OrderConfirmed') {
    const key: RevenueKey = { day: utcDay(e.data.confirmedAt), currency: e.data.currency };
    const total = e.data.totalMinor;
    const entry: Omit<RevenueEntry, '_id'> = {
      orderId: e.data.orderId,
      ...key,
      grossMinor: total,
      refundedMinor: 0,
      netMinor: total,
      orderCount: 1,
      cancelledCount: 0,
      v,
    };
    return [
      { kind: 'update', view: REVENUE_ENTRIES_VIEW, filter, update: { $set: entry }, upsert: true },
      { kind: 'recompute', view: REVENUE_BY_DAY_VIEW, key: { ...key } },
    ];
  }
  if (!e.data.wasConfirmed) return [];
  const total = e.data.totalMinor;
  const cancelled = { grossMinor: total, refundedMinor: total, netMinor: 0, orderCount: 1, cancelledCount: 1, v };
  return [
    { kind: 'update', view: REVENUE_ENTRIES_VIEW, filter, update: { $set: cancelled } },
    { kind: 'recomputeFromEntries', view: REVENUE_BY_DAY_VIEW, entries: { _id: e.data.orderId } },
  ];
}

/** Filter selecting every entry of a bucket. */
export function entryFilter(key: RevenueKey): { day: string; currency: string } {
  return { day: key.day, currency: key.currency };
}

/**
 * Folds a bucket's entries into its document. Entries of other buckets are ignored, so
 * the result depends only on the key and the matching entries (order-insensitive).
 */
export function recomputeBucket(key: RevenueKey, entries: readonly RevenueEntry[]): RecomputedBucket<RevenueBucket> {
  const doc: RevenueBucket = {
    _id: `${key.day}:${key.currency}`,
    day: key.day,
    currency: key.currency,
    grossMinor: 0,
    refundedMinor: 0,
    netMinor: 0,
    orderCount: 0,
    cancelledCount: 0,
    revision: 0,
  };
  for (const en of entries) {
    if (en.day !== key.day || en.currency !== key.currency) continue;
    doc.grossMinor += en.grossMinor;
    doc.refundedMinor += en.refundedMinor;
    doc.netMinor += en.netMinor;
    doc.orderCount += en.orderCount;
    doc.cancelledCount += en.cancelledCount;
    doc.revision += en.v;
  }
  return { doc, revision: doc.revision };
}

/** Adapter-facing bucket operations; validate what storage hands back. */
export const revenueBuckets: BucketSpec = {
  view: REVENUE_BY_DAY_VIEW,
  entriesView: REVENUE_ENTRIES_VIEW,
  entryFilter: (key) => entryFilter(parseDoc(Key, key, 'revenue bucket key')),
  keyOfEntry: (entry) => {
    const en = parseDoc(Entry, entry, 'revenue entry');
    return { day: en.day, currency: en.currency };
  },
  recompute: (key, entries) => {
    const r = recomputeBucket(
      parseDoc(Key, key, 'revenue bucket key'),
      entries.map((en) => parseDoc(Entry, en, 'revenue entry')),
    );
    return { doc: { ...r.doc }, revision: r.revision };
  },
};

/**
 * Filter and sort for the buckets of an inclusive UTC day range (`YYYY-MM-DD`), optionally
 * one currency. Amounts of different currencies are never summed together.
 */
export function revenueByDayQuery(args: { from: string; to: string; currency?: string }): {
  filter: Record<string, unknown>;
  sort: { day: 1; currency: 1 };
} {
  const filter: Record<string, unknown> = { day: { $gte: args.from, $lte: args.to } };
  if (args.currency !== undefined) filter['currency'] = args.currency;
  return { filter, sort: { day: 1, currency: 1 } };
}

/** The revenue_by_day projection (entries + recomputed buckets). */
export const revenueByDayProjection: Projection = {
  name: 'revenue_by_day',
  codeVersion: 1,
  views: REVENUE_VIEWS,
  handles: REVENUE_EVENTS,
  buckets: revenueBuckets,
  project: projectRevenueByDay,
};
