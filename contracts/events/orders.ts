import { z } from 'zod';
import { AmountMinor, Currency, Id, Quantity, Timestamp } from '../primitives.ts';
import type { EventsOf } from './family.ts';

/** One priced order line; `lineTotalMinor = quantity * unitPriceMinor`, in integers. */
export const OrderLine = z
  .object({ sku: Id, quantity: Quantity, unitPriceMinor: AmountMinor, lineTotalMinor: AmountMinor })
  .refine((l) => l.lineTotalMinor === l.quantity * l.unitPriceMinor, {
    message: 'lineTotalMinor must equal quantity * unitPriceMinor',
    path: ['lineTotalMinor'],
  });
export type OrderLine = z.infer<typeof OrderLine>;

/** Structured shipping address (v2). Fields may be empty for orders upcast from v1. */
export const ShippingAddress = z.object({
  line1: z.string(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string(),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/**
 * OrderPlaced v3. Stream `order-<orderId>`. `paymentRef` is the payment provider's reference for
 * the customer's card (never the card token itself). v1 and v2 are upcast by `contracts/upcasters`.
 */
export const OrderPlacedData = z
  .object({
    orderId: Id,
    customerId: Id,
    currency: Currency,
    lines: z.array(OrderLine).min(1),
    totalMinor: AmountMinor,
    shippingAddress: ShippingAddress,
    paymentRef: Id,
    placedAt: Timestamp,
  })
  .refine((o) => o.totalMinor === o.lines.reduce((s, l) => s + l.lineTotalMinor, 0), {
    message: 'totalMinor must equal the sum of lineTotalMinor',
    path: ['totalMinor'],
  });
export type OrderPlacedData = z.infer<typeof OrderPlacedData>;

/** OrderStockReserved v1: every line's stock is held. */
export const OrderStockReservedData = z.object({ orderId: Id });
export type OrderStockReservedData = z.infer<typeof OrderStockReservedData>;

/** OrderStockShort v1: some line could not be reserved. */
export const OrderStockShortData = z.object({ orderId: Id, reason: z.string().min(1) });
export type OrderStockShortData = z.infer<typeof OrderStockShortData>;

/** OrderPaymentAuthorised v1. */
export const OrderPaymentAuthorisedData = z.object({ orderId: Id, authorisationId: Id });
export type OrderPaymentAuthorisedData = z.infer<typeof OrderPaymentAuthorisedData>;

/** OrderPaymentFailed v1. */
export const OrderPaymentFailedData = z.object({ orderId: Id, reason: z.string().min(1) });
export type OrderPaymentFailedData = z.infer<typeof OrderPaymentFailedData>;

/** OrderConfirmed v1: stock reserved and payment authorised. */
export const OrderConfirmedData = z.object({
  orderId: Id,
  customerId: Id,
  currency: Currency,
  totalMinor: AmountMinor,
  confirmedAt: Timestamp,
});
export type OrderConfirmedData = z.infer<typeof OrderConfirmedData>;

/** OrderRejected v1: the saga gave up on a placed order. */
export const OrderRejectedData = z.object({
  orderId: Id,
  customerId: Id,
  reason: z.string().min(1),
  rejectedAt: Timestamp,
});
export type OrderRejectedData = z.infer<typeof OrderRejectedData>;

/** OrderShipped v1. */
export const OrderShippedData = z.object({ orderId: Id, shippedAt: Timestamp });
export type OrderShippedData = z.infer<typeof OrderShippedData>;

/** OrderCancelled v1; `wasConfirmed` tells revenue views whether to subtract. */
export const OrderCancelledData = z.object({
  orderId: Id,
  customerId: Id,
  reason: z.string().min(1),
  wasConfirmed: z.boolean(),
  currency: Currency,
  totalMinor: AmountMinor,
  cancelledAt: Timestamp,
});
export type OrderCancelledData = z.infer<typeof OrderCancelledData>;

/** Current version + schema of every order event (topic `orders.events`). */
export const ordersEvents = {
  OrderPlaced: { version: 3, schema: OrderPlacedData },
  OrderStockReserved: { version: 1, schema: OrderStockReservedData },
  OrderStockShort: { version: 1, schema: OrderStockShortData },
  OrderPaymentAuthorised: { version: 1, schema: OrderPaymentAuthorisedData },
  OrderPaymentFailed: { version: 1, schema: OrderPaymentFailedData },
  OrderConfirmed: { version: 1, schema: OrderConfirmedData },
  OrderRejected: { version: 1, schema: OrderRejectedData },
  OrderShipped: { version: 1, schema: OrderShippedData },
  OrderCancelled: { version: 1, schema: OrderCancelledData },
} as const;

/** Union of order events at their current version. */
export type OrdersEvent = EventsOf<typeof ordersEvents>;
