import { z } from 'zod';
import type { EventEnvelope, EventType } from '../../contracts/index.ts';
import { isoInstant, mergeRanked, parseDoc, pick, sumShards, type Projection, type RankedView, type RankItem, type ShardedView, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view of the sales sums: shards per (sku, currency, writer), summed on read. */
export const SALES_BY_PRODUCT_VIEW = 'sales_by_product';
/** Logical view of one document per order: its lines and whether it counts. */
export const SALES_ORDERS_VIEW = 'sales_orders';
/** Logical view of the recent-order lists: one document per (SKU, writer), merged on read. */
export const SALES_RECENT_VIEW = 'sales_recent';

/** How many counted orders a SKU lists, newest first. */
export const RECENT_ORDERS = 10;

/** Events this projection reacts to (an order is rejected only before it is confirmed: never counted). */
export const SALES_EVENTS = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'] as const satisfies readonly EventType[];

/**
 * One order (`_id` = orderId), folding the sales facts of its stream: its lines merged per SKU
 * (from OrderPlaced, the only event with lines), and whether it counts (confirmed, not cancelled).
 * Guarded by `v: { $lt }` (the projection skips the order events it does not handle).
 */
export interface SalesOrder {
  _id: string;
  /** The SKUs of `lines` (indexed: a SKU's counted orders, newest first). */
  skus: string[];
  lines: { sku: string; units: number; revenueMinor: number }[];
  currency: string;
  counted: boolean;
  /** Confirmation time while counted, else null. */
  countedAt: string | null;
  v: number;
}

const Order = z.object({
  _id: z.string(),
  skus: z.array(z.string()),
  lines: z.array(z.object({ sku: z.string(), units: z.int(), revenueMinor: z.int() })),
  currency: z.string(),
  counted: z.boolean(),
  countedAt: z.string().nullable(),
  v: z.int(),
});

/** A SKU's sales as queries see them: the sum of its shards and its recent list. */
export interface SalesBucket {
  _id: string;
  sku: string;
  unitsSold: number;
  /** One sum per currency, sorted by currency; currencies are never mixed. */
  revenue: { currency: string; amountMinor: number }[];
  /** Last {@link RECENT_ORDERS} counted orders by confirmation time, newest first. */
  recentOrders: { orderId: string; units: number; at: string }[];
}

/** Sums per (sku, currency): units and revenue of counted orders. See {@link ShardedView}. */
export const SALES_SHARDS: ShardedView = {
  view: SALES_BY_PRODUCT_VIEW,
  keyFields: ['sku', 'currency'],
  sumFields: ['unitsSold', 'revenueMinor'],
  perElement: { array: 'lines', keyFields: ['sku'], amounts: { unitsSold: 'units', revenueMinor: 'revenueMinor' } },
};

/** A SKU's newest counted orders. See {@link RankedView}. */
export const SALES_RECENT: RankedView = {
  view: SALES_RECENT_VIEW,
  members: SALES_ORDERS_VIEW,
  size: RECENT_ORDERS,
  memberStream: (orderId) => ({ type: 'OrderConfirmed', streamId: `order-${orderId}` }),
  bucketsOf: (member) => parseDoc(Order, member, 'sales order').skus,
  itemOf(member, sku): RankItem | null {
    const o = parseDoc(Order, member, 'sales order');
    const line = o.lines.find((l) => l.sku === sku);
    if (!o.counted || o.countedAt === null || !line) return null;
    return { id: o._id, at: o.countedAt, units: line.units };
  },
  newest: (sku) => ({ filter: { skus: sku, counted: true }, sort: { countedAt: -1, _id: -1 } }),
};

/** Shards by SKU; orders by SKU and recency (the refill of a recent list); recent-list shards by SKU. */
export const SALES_VIEWS: ViewSpec[] = [
  { name: SALES_BY_PRODUCT_VIEW, indexes: [{ key: { sku: 1 }, name: 'sku' }] },
  { name: SALES_ORDERS_VIEW, indexes: [{ key: { skus: 1, counted: 1, countedAt: -1, _id: -1 }, name: 'recent' }] },
  { name: SALES_RECENT_VIEW, indexes: [{ key: { bucket: 1 }, name: 'bucket' }] },
];

/**
 * Write ops for one event, none of which reads what a SKU already holds. OrderPlaced: the order's
 * document (lines merged per SKU, uncounted). OrderConfirmed: it counts (`countedAt`), its lines
 * add units and revenue to their SKUs' shards, and it is re-ranked in their recent lists.
 * OrderCancelled after confirmation: it stops counting, its lines subtract, it leaves the lists.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp (contracts validate them first).
 */
export function projectSalesByProduct(envelope: EventEnvelope): WriteOp[] {
  const e = pick(SALES_EVENTS, envelope);
  if (!e) return [];
  const v = e.streamVersion;
  const orderId = e.data.orderId;
  const filter = { _id: orderId, v: { $lt: v } };
  if (e.type === 'OrderPlaced') {
    const bySku = new Map<string, { units: number; revenueMinor: number }>();
    for (const l of e.data.lines) {
      const acc = bySku.get(l.sku) ?? { units: 0, revenueMinor: 0 };
      bySku.set(l.sku, { units: acc.units + l.quantity, revenueMinor: acc.revenueMinor + l.lineTotalMinor });
    }
    const order: Omit<SalesOrder, '_id'> = {
      skus: [...bySku.keys()],
      lines: [...bySku].map(([sku, sums]) => ({ sku, ...sums })),
      currency: e.data.currency,
      counted: false,
      countedAt: null,
      v,
    };
    return [{ kind: 'update', view: SALES_ORDERS_VIEW, filter, update: { $set: order }, upsert: true }];
  }
  if (e.type === 'OrderCancelled' && !e.data.wasConfirmed) return [];
  const confirmed = e.type === 'OrderConfirmed';
  const counting = confirmed ? { counted: true, countedAt: isoInstant(e.data.confirmedAt) } : { counted: false, countedAt: null };
  const sign = confirmed ? 1 : -1;
  return [
    { kind: 'update', view: SALES_ORDERS_VIEW, filter, update: { $set: { ...counting, v } } },
    { kind: 'add', view: SALES_BY_PRODUCT_VIEW, key: {}, via: { view: SALES_ORDERS_VIEW, id: orderId, fields: ['currency'] }, add: { unitsSold: sign, revenueMinor: sign } },
    { kind: 'rank', view: SALES_RECENT_VIEW, member: orderId },
  ];
}

/**
 * A SKU's sales from its sum shards and its recent-list shards (read side; both merged). Pure.
 * `undefined` when the SKU has neither (never sold).
 */
export function salesBucketOf(sku: string, shards: readonly Record<string, unknown>[], recent: readonly Record<string, unknown>[]): SalesBucket | undefined {
  const buckets = sumShards(SALES_SHARDS, shards.filter((s) => s['sku'] === sku));
  const lists = recent.filter((l) => l['bucket'] === sku);
  if (buckets.length === 0 && lists.length === 0) return undefined;
  const items = mergeRanked(lists, RECENT_ORDERS);
  return {
    _id: sku,
    sku,
    unitsSold: buckets.reduce((n, b) => n + Number(b['unitsSold']), 0),
    revenue: buckets
      .map((b) => ({ currency: String(b['currency']), amountMinor: Number(b['revenueMinor']) }))
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0)),
    recentOrders: items.slice(0, RECENT_ORDERS).map((it) => ({ orderId: it.id, units: Number(it['units']), at: it.at })),
  };
}

/**
 * The sales_by_product projection: sums in (sku, currency, writer) shards, a per-SKU recent list,
 * and one document per order that both resolve against (a confirmation does not carry its lines).
 */
export const salesByProductProjection: Projection = {
  name: 'sales_by_product',
  // 3: recent lists kept per (SKU, writer) and merged on read.
  codeVersion: 3,
  views: SALES_VIEWS,
  handles: SALES_EVENTS,
  sharded: SALES_SHARDS,
  ranked: SALES_RECENT,
  project: projectSalesByProduct,
};
