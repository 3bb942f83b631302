import { Buffer } from 'node:buffer';
import type { EventEnvelope } from '../../contracts/index.ts';
import { ORDER_EVENTS, statusChangeOf, type OrderStatus } from './orderEvents.ts';
import { contextOf, exactNext, isoInstant, pick, ProjectionError, type Projection, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view name of the per-customer order list rows. */
export const ORDERS_BY_CUSTOMER_VIEW = 'orders_by_customer';

/** One row of a customer's order list, folding the `order-<orderId>` stream. */
export interface OrderByCustomerDoc {
  _id: string;
  customerId: string;
  /** UTC `toISOString()` form, so string order is time order. */
  placedAt: string;
  status: OrderStatus;
  totalMinor: number;
  currency: string;
  /** Total units ordered (sum of line quantities), not the number of lines. */
  itemCount: number;
  /** streamVersion of the last applied order event (exact-next guard). */
  v: number;
  updatedAt: string;
}

/** The keyset index: a customer's orders newest first, `_id` breaking ties. */
export const ORDERS_BY_CUSTOMER_VIEWS: ViewSpec[] = [
  {
    name: ORDERS_BY_CUSTOMER_VIEW,
    indexes: [{ key: { customerId: 1, placedAt: -1, _id: -1 }, name: 'customer_newest_first' }],
  },
];

/**
 * Write ops for one event: `insert` for OrderPlaced (streamVersion 1), an exact-next guarded
 * `update` (status when it changes, `v`, `updatedAt`) for every later order event.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp or `occurredAt`.
 */
export function projectOrdersByCustomer(envelope: EventEnvelope): WriteOp[] {
  const e = pick(ORDER_EVENTS, envelope);
  if (!e) return [];
  const ctx = contextOf(e);
  const change = statusChangeOf(e);
  const $set: Record<string, unknown> = { updatedAt: ctx.at };
  if (change) $set['status'] = change.status;
  const first = (): Record<string, unknown> => {
    if (e.type !== 'OrderPlaced') return {};
    const row: Omit<OrderByCustomerDoc, '_id' | 'v'> = {
      customerId: e.data.customerId,
      placedAt: isoInstant(e.data.placedAt),
      status: 'placed',
      totalMinor: e.data.totalMinor,
      currency: e.data.currency,
      itemCount: e.data.lines.reduce((n, l) => n + l.quantity, 0),
      updatedAt: ctx.at,
    };
    return { ...row };
  };
  return [exactNext(ORDERS_BY_CUSTOMER_VIEW, e.data.orderId, ctx, first, { $set })];
}

/** Position of a row in "newest first" order: the last row of the previous page. */
export interface OrdersCursor {
  placedAt: string;
  orderId: string;
}

/** Opaque cursor: base64url of the JSON array `[placedAt, orderId]`. */
export function encodeCursor(c: OrdersCursor): string {
  return Buffer.from(JSON.stringify([c.placedAt, c.orderId]), 'utf8').toString('base64url');
}

/**
 * Inverse of {@link encodeCursor}.
 * @throws ProjectionError `INVALID_CURSOR` (not retriable) for anything encodeCursor did not produce.
 */
export function decodeCursor(cursor: string): OrdersCursor {
  const bad = (why: string): ProjectionError => new ProjectionError('INVALID_CURSOR', `invalid cursor: ${why}`);
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw bad('not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad('not a pair');
  const [placedAt, orderId]: unknown[] = parsed;
  if (typeof placedAt !== 'string' || typeof orderId !== 'string' || orderId === '') throw bad('wrong types');
  // Only the normalised form compares correctly against stored placedAt strings.
  const ms = Date.parse(placedAt);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== placedAt) throw bad('bad timestamp');
  return { placedAt, orderId };
}

/** Find arguments for one page of a customer's orders. */
export interface CustomerOrdersQuery {
  filter: Record<string, unknown>;
  sort: { placedAt: -1; _id: -1 };
  /** `first + 1`: the extra row only tells whether a next page exists. */
  limit: number;
}

/**
 * Keyset query "this customer's orders, newest first, strictly after `after`". Stable while
 * new orders arrive: they sort before the cursor, so pages never shift or repeat.
 * @throws ProjectionError `INVALID_CURSOR` for a bad `after`; RangeError if `first` is not a positive integer.
 */
export function customerOrdersQuery(args: { customerId: string; first: number; after?: string | null }): CustomerOrdersQuery {
  if (!Number.isSafeInteger(args.first) || args.first < 1) throw new RangeError('first must be a positive integer');
  const filter: Record<string, unknown> = { customerId: args.customerId };
  if (args.after != null) {
    const c = decodeCursor(args.after);
    filter['$or'] = [{ placedAt: { $lt: c.placedAt } }, { placedAt: c.placedAt, _id: { $lt: c.orderId } }];
  }
  return { filter, sort: { placedAt: -1, _id: -1 }, limit: args.first + 1 };
}

/** A page of rows plus what a Relay-style connection needs. */
export interface CustomerOrdersPage {
  items: OrderByCustomerDoc[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Cuts the `first + 1` rows fetched with {@link customerOrdersQuery} into a page. */
export function toCustomerOrdersPage(rows: readonly OrderByCustomerDoc[], first: number): CustomerOrdersPage {
  const items = rows.slice(0, first);
  const last = items[items.length - 1];
  return {
    items,
    endCursor: last ? encodeCursor({ placedAt: last.placedAt, orderId: last._id }) : null,
    hasNextPage: rows.length > first,
  };
}

/** The orders_by_customer projection. */
export const ordersByCustomerProjection: Projection = {
  name: 'orders_by_customer',
  codeVersion: 1,
  views: ORDERS_BY_CUSTOMER_VIEWS,
  handles: ORDER_EVENTS,
  project: projectOrdersByCustomer,
};
