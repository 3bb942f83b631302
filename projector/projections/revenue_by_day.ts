import type { EventEnvelope, EventType } from '../../contracts/index.ts';
import { pick, sumShards, utcDay, type Projection, type ShardedView, type ViewSpec, type WriteOp } from './projection.ts';

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


/** A `revenue_by_day` bucket as queries see it: the sum of its shards. `_id` = `${day}:${currency}`. */
export interface RevenueBucket extends RevenueKey {
  _id: string;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
  orderCount: number;
  cancelledCount: number;
}

/** Buckets are (day, currency) sums kept in shards; see {@link ShardedView}. */
export const REVENUE_SHARDS: ShardedView = {
  view: REVENUE_BY_DAY_VIEW,
  keyFields: ['day', 'currency'],
  sumFields: ['grossMinor', 'refundedMinor', 'netMinor', 'orderCount', 'cancelledCount'],
};

/** Shards are read by day range and by bucket; entries by order (`_id`). */
export const REVENUE_VIEWS: ViewSpec[] = [
  { name: REVENUE_BY_DAY_VIEW, indexes: [{ key: { day: 1, currency: 1 }, name: 'day_currency' }] },
  { name: REVENUE_ENTRIES_VIEW, indexes: [] },
];

/**
 * Write ops for one event: a guarded upsert/update of the order's entry (what it contributes, and
 * its day for a later cancellation) and one `add` to its bucket — never a re-read of the bucket.
 * OrderConfirmed adds gross, net and one order to its UTC confirmation day; OrderCancelled with
 * `wasConfirmed` adds the refund (net down, one cancellation) to the day its entry names.
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
      { kind: 'add', view: REVENUE_BY_DAY_VIEW, key: { ...key }, add: { grossMinor: total, refundedMinor: 0, netMinor: total, orderCount: 1, cancelledCount: 0 } },
    ];
  }
  if (!e.data.wasConfirmed) return [];
  const total = e.data.totalMinor;
  const cancelled = { grossMinor: total, refundedMinor: total, netMinor: 0, orderCount: 1, cancelledCount: 1, v };
  return [
    { kind: 'update', view: REVENUE_ENTRIES_VIEW, filter, update: { $set: cancelled } },
    {
      kind: 'add', view: REVENUE_BY_DAY_VIEW, key: {}, via: { view: REVENUE_ENTRIES_VIEW, id: e.data.orderId, fields: ['day', 'currency'] },
      add: { grossMinor: 0, refundedMinor: total, netMinor: -total, orderCount: 0, cancelledCount: 1 },
    },
  ];
}

/** The buckets of some shard documents (read side). Pure. */
export function revenueBucketsOf(shards: readonly Record<string, unknown>[]): RevenueBucket[] {
  return sumShards(REVENUE_SHARDS, shards) as unknown as RevenueBucket[];
}

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

/** The revenue_by_day projection (entries + sharded sums). */
export const revenueByDayProjection: Projection = {
  name: 'revenue_by_day',
  codeVersion: 2,
  views: REVENUE_VIEWS,
  handles: REVENUE_EVENTS,
  sharded: REVENUE_SHARDS,
  project: projectRevenueByDay,
};
