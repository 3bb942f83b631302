import type { EventEnvelope, DomainEvent } from '../../../contracts/index.ts';

/**
 * Event types the saga reacts to. The others (`react` returns `[]` for them whatever the
 * context) are skipped without loading anything. A `Record` so a new event type does not
 * compile until it is classified here.
 */
const REACTS_TO: Record<DomainEvent['type'], boolean> = {
  OrderPlaced: true,
  OrderStockReserved: true,
  OrderStockShort: true,
  OrderPaymentAuthorised: true,
  OrderPaymentFailed: true,
  OrderConfirmed: true,
  OrderRejected: true,
  OrderCancelled: true,
  OrderShipped: true,
  StockReserved: true,
  StockReservationRejected: true,
  PaymentAuthorised: true,
  PaymentDeclined: true,
  PaymentCaptured: false,
  PaymentVoided: false,
  PaymentRefunded: false,
  StockReleased: false,
  StockCommitted: false,
  StockRestocked: false,
  StockAdjusted: false,
  ProductDefined: false,
  ProductPriceChanged: false,
};

/** True when the saga may have work to do for an event of this type. */
export function sagaReactsTo(type: DomainEvent['type']): boolean {
  return REACTS_TO[type];
}

/** The order an event concerns (`data.orderId`), or null. */
export function orderIdOf(envelope: Pick<EventEnvelope, 'data'>): string | null {
  const data: unknown = envelope.data;
  return typeof data === 'object' && data !== null && 'orderId' in data && typeof data.orderId === 'string' ? data.orderId : null;
}
