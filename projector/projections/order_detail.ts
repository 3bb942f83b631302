import type { EventEnvelope } from '../../contracts/index.ts';
import { ORDER_EVENTS, statusChangeOf, type OrderEnvelope, type OrderStatus, type StatusChange } from './orderEvents.ts';
import { assertNever, contextOf, exactNext, pick, type Projection, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view name of the order detail documents. */
export const ORDER_DETAIL_VIEW = 'order_detail';

/**
 * Payment state as far as the ORDER stream knows it. The order stream records only
 * authorisation outcomes, so this projection sets `pending | authorised | failed`;
 * `captured | voided | refunded` are payment-stream facts kept in the type for a future
 * order-stream event (the view folds exactly one stream, see the version guard).
 */
export type OrderPaymentStatus = 'pending' | 'authorised' | 'failed' | 'captured' | 'voided' | 'refunded';

/**
 * Stock reservation state as far as the order stream knows it (`pending | reserved | short`);
 * `released` is an inventory-stream fact, kept in the type for the same reason as payments.
 */
export type OrderReservationStatus = 'pending' | 'reserved' | 'short' | 'released';

/** One order line as placed. */
export interface OrderDetailLine {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

/** Shipping address as shown to the customer: the payment token is never copied here. */
export interface OrderDetailAddress {
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

/** The `order_detail` document: one per order, folding the `order-<orderId>` stream. */
export interface OrderDetailDoc {
  _id: string;
  customerId: string;
  status: OrderStatus;
  currency: string;
  lines: OrderDetailLine[];
  totalMinor: number;
  shippingAddress: OrderDetailAddress;
  statusHistory: StatusChange[];
  payment: { status: OrderPaymentStatus; reason?: string };
  reservation: { status: OrderReservationStatus; reason?: string };
  rejectionReason?: string;
  /** streamVersion of the last applied order event (exact-next guard). */
  v: number;
  placedAt: string;
  updatedAt: string;
}

/** Views owned by this projection; `_id` (orderId) is the only lookup key. */
export const ORDER_DETAIL_VIEWS: ViewSpec[] = [{ name: ORDER_DETAIL_VIEW, indexes: [] }];

/**
 * Write ops for one event: an `insert` for OrderPlaced (streamVersion 1), an exact-next
 * guarded `update` for every later order event (always bumping `v`), `[]` otherwise.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp or `occurredAt`.
 */
export function projectOrderDetail(envelope: EventEnvelope): WriteOp[] {
  const e = pick(ORDER_EVENTS, envelope);
  if (!e) return [];
  const ctx = contextOf(e);
  const change = statusChangeOf(e);
  const $set: Record<string, unknown> = { ...factsOf(e), updatedAt: ctx.at };
  if (change) $set['status'] = change.status;
  const next = change ? { $set, $push: { statusHistory: change } } : { $set };
  return [exactNext(ORDER_DETAIL_VIEW, e.data.orderId, ctx, () => initialDoc(e, ctx.at), next)];
}

/** The order_detail doc an OrderPlaced creates (`v` is set by the guard). */
function initialDoc(e: OrderEnvelope, updatedAt: string): Record<string, unknown> {
  if (e.type !== 'OrderPlaced') return {};
  const d = e.data;
  const placed = statusChangeOf(e);
  const doc: Omit<OrderDetailDoc, '_id' | 'v'> = {
    customerId: d.customerId,
    status: 'placed',
    currency: d.currency,
    lines: d.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      lineTotalMinor: l.lineTotalMinor,
    })),
    totalMinor: d.totalMinor,
    // Field by field on purpose: a spread could leak fields added to the event later.
    shippingAddress: {
      line1: d.shippingAddress.line1,
      city: d.shippingAddress.city,
      postalCode: d.shippingAddress.postalCode,
      country: d.shippingAddress.country,
    },
    statusHistory: placed ? [placed] : [],
    payment: { status: 'pending' },
    reservation: { status: 'pending' },
    placedAt: placed ? placed.at : updatedAt,
    updatedAt,
  };
  return doc;
}

/** Non-status fields an order event sets on an existing doc. */
function factsOf(e: OrderEnvelope): Partial<OrderDetailDoc> {
  switch (e.type) {
    case 'OrderStockReserved':
      return { reservation: { status: 'reserved' } };
    case 'OrderStockShort':
      return { reservation: { status: 'short', reason: e.data.reason } };
    case 'OrderPaymentAuthorised':
      return { payment: { status: 'authorised' } };
    case 'OrderPaymentFailed':
      return { payment: { status: 'failed', reason: e.data.reason } };
    case 'OrderRejected':
      return { rejectionReason: e.data.reason };
    case 'OrderPlaced':
    case 'OrderConfirmed':
    case 'OrderShipped':
    case 'OrderCancelled':
      return {};
    default:
      return assertNever(e);
  }
}

/** The order_detail projection. */
export const orderDetailProjection: Projection = {
  name: 'order_detail',
  codeVersion: 1,
  views: ORDER_DETAIL_VIEWS,
  handles: ORDER_EVENTS,
  project: projectOrderDetail,
};
