import type { KafkaMessage } from 'kafkajs';
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

/**
 * The lane a saga message is handled in: its order (`order:<id>`), else its Kafka key. Messages of
 * one lane are handled one after the other in partition order, other lanes beside them.
 *
 * What order the saga needs: every reaction reloads its order's whole context from the event store
 * and every step is idempotent, so correctness never rested on delivery order. An order's events
 * arrive on three topics (orders, inventory keyed by SKU, payments), so its reactions already ran
 * concurrently across partitions. Per-order lanes keep one partition from racing itself on an order
 * (two reactions of one order at once would contend on its stream, meet a CONFLICT and reload) and
 * keep an order's events on the orders topic (placed, then cancelled) in order. Per-SKU order is not
 * needed: a reaction to `StockReserved` is about its order, and the SKU stream's own writes are
 * checked by their expected version; lanes by the Kafka key would queue a hot SKU's orders.
 */
export function sagaLaneKey(message: Pick<KafkaMessage, 'key' | 'offset'>, orderId: string | null): string {
  if (orderId !== null) return `order:${orderId}`;
  return message.key ? `kafka:${message.key.toString('utf8')}` : `offset:${message.offset}`;
}
