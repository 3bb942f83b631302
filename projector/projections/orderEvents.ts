import type { EventType } from '../../contracts/index.ts';
import { assertNever, isoInstant as iso, type EnvelopesOf } from './projection.ts';

/** Every event of an `order-<orderId>` stream, in the order a happy path emits them. */
export const ORDER_EVENTS = [
  'OrderPlaced',
  'OrderStockReserved',
  'OrderStockShort',
  'OrderPaymentAuthorised',
  'OrderPaymentFailed',
  'OrderConfirmed',
  'OrderRejected',
  'OrderShipped',
  'OrderCancelled',
] as const satisfies readonly EventType[];

/** Type of an order-stream event. */
export type OrderEventType = (typeof ORDER_EVENTS)[number];

/** Envelope of an order-stream event, discriminated on `type`. */
export type OrderEnvelope = EnvelopesOf<OrderEventType>;

/** Lifecycle status shown by the order views. Stock/payment facts do not change it. */
export type OrderStatus = 'placed' | 'confirmed' | 'rejected' | 'shipped' | 'cancelled';

/** One lifecycle transition, timed by the event's own business timestamp. */
export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

/**
 * The lifecycle transition an order event represents, or `null` for events that only
 * record a stock/payment fact. `at` is the event's business time, normalised to UTC.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp (contracts validate it first).
 */
export function statusChangeOf(e: OrderEnvelope): StatusChange | null {
  switch (e.type) {
    case 'OrderPlaced':
      return { status: 'placed', at: iso(e.data.placedAt) };
    case 'OrderConfirmed':
      return { status: 'confirmed', at: iso(e.data.confirmedAt) };
    case 'OrderRejected':
      return { status: 'rejected', at: iso(e.data.rejectedAt), reason: e.data.reason };
    case 'OrderShipped':
      return { status: 'shipped', at: iso(e.data.shippedAt) };
    case 'OrderCancelled':
      return { status: 'cancelled', at: iso(e.data.cancelledAt), reason: e.data.reason };
    case 'OrderStockReserved':
    case 'OrderStockShort':
    case 'OrderPaymentAuthorised':
    case 'OrderPaymentFailed':
      return null;
    default:
      return assertNever(e);
  }
}
