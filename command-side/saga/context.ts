import type { InventoryState } from '../domain/inventory/inventory.ts';
import type { OrderState } from '../domain/order/order.ts';
import type { PaymentState } from '../domain/payment/payment.ts';

/** What became of an order's request for one SKU, as the inventory stream records it. */
export type ReservationStatus = 'held' | 'rejected' | 'released' | 'committed' | 'none';

/** Status of the order's payment aggregate (stream `payment-<orderId>`). */
export type PaymentStatus = PaymentState['status'];

/**
 * What the runtime loads before calling the saga. All of it is read from the event
 * store after the event was stored, so it may already include later events.
 */
export interface SagaContext {
  /** The order as currently stored (stream `order-<orderId>`). */
  order: OrderState;
  /** ISO-8601; stamps commands (`ConfirmOrder`, `RejectOrder`) and sets timeouts. */
  now: string;
  /** How long a placed order may wait for stock and payment before it is rejected. */
  timeoutMs: number;
  /**
   * The order's reservation per SKU of its lines, from the inventory streams (see
   * {@link reservationFacts}). Needed for `StockReserved`/`StockReservationRejected`;
   * when absent, only the event's own SKU is known.
   */
  reservations?: Readonly<Record<string, ReservationStatus>>;
  /**
   * The payment aggregate's status. When given, compensation picks void or refund from
   * it exactly; when absent it is inferred from the order (see `fulfilment.ts`).
   */
  payment?: PaymentStatus;
  /**
   * What the payment aggregate recorded, when the runtime loaded it: the hold's id once
   * authorised, the reason once declined. Lets the saga mark the order without waiting for the
   * payment event to come back through Kafka (see `settleFromFacts`).
   */
  authorisationId?: string;
  declineReason?: string;
}

/** The saga was handed a context that does not fit the input. */
export class SagaContextError extends Error {
  override readonly name = 'SagaContextError';

  constructor(
    message: string,
    /** True when reloading the context may fix it (e.g. the order was not found yet). */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** Reads one order's reservation status per SKU from the inventory states of its lines. */
export function reservationFacts(
  orderId: string,
  inventories: Readonly<Record<string, InventoryState | undefined>>,
): Record<string, ReservationStatus> {
  const facts: Record<string, ReservationStatus> = {};
  for (const [sku, state] of Object.entries(inventories)) {
    facts[sku] = state?.reservations.get(orderId)?.status ?? 'none';
  }
  return facts;
}

/** The payment part of a context, from the payment aggregate's state. */
export function paymentFacts(payment: PaymentState): Pick<SagaContext, 'payment' | 'authorisationId' | 'declineReason'> {
  if (payment.status === 'none') return { payment: 'none' };
  if (payment.status === 'declined') return { payment: 'declined', declineReason: payment.reason };
  return { payment: payment.status, authorisationId: payment.authorisationId };
}
