/**
 * The fulfilment saga, as a pure process manager: `react(event, ctx)` and
 * `onTimeout(timeout, ctx)` return the steps the runtime must carry out.
 *
 * Orchestrated, not choreographed: one function owns the whole flow
 * (`OrderPlaced` → reserve stock ∥ authorise → confirm → capture; short stock, a
 * decline or a timeout → reject → release + void) so the rules and their compensations
 * read in one place; with choreography the inventory and payment consumers would each
 * need to know when the other one has to undo its work.
 *
 * Saga state is the order stream itself: the order aggregate records
 * `OrderStockReserved|Short`, `OrderPaymentAuthorised|Failed`, `Confirmed`, `Rejected`,
 * `Cancelled` and `Shipped`, so the saga's progress is event-sourced with the order and
 * needs no table of its own. The only other state is one durable timeout row per open
 * order, `(orderId, dueAt)`, which the runtime sweeps (see {@link onTimeout}).
 *
 * Runtime contract (kept simple by the steps being idempotent):
 * - consume `orders.events`, `inventory.events` and `payments.events`; per event load
 *   the {@link SagaContext}, call `react`, carry out the steps in order, and commit the
 *   offset only after every step is done. A crash anywhere means the event is delivered
 *   again and its steps are simply run again: each target treats a repeat as done
 *   (the deciders return `[]`, the gateway replays per idempotency key, timeout rows are
 *   insert-if-absent).
 * - a `GatewayUnavailableError` is retried later (the durable timeout bounds how long);
 *   a `DomainError` CONFLICT means the order moved on concurrently: reload the context
 *   and call `react` again, which then yields the right compensation.
 * - sweep due timeout rows and call `onTimeout`; delete a row only through `clearTimeout`.
 */
import { eventOf, type EventEnvelope, type OrderPlacedData, type DomainEvent } from '../../contracts/index.ts';
import type { ExistingOrder } from '../domain/order/order.ts';
import { SagaContextError, type PaymentStatus, type ReservationStatus, type SagaContext } from './context.ts';
import { gatewayKey, inventoryStep, orderStep, paymentStep, type SagaStep } from './steps.ts';

/** The synthetic input a swept timeout row produces. */
export interface SagaTimedOut {
  type: 'SagaTimedOut';
  orderId: string;
}

/** Reason given when a placed order runs out of time. */
export const TIMEOUT_REASON = 'payment or stock timed out';

/** The placed order named by `orderId`, or a context error when the runtime loaded another one. */
function orderFor(orderId: string, ctx: SagaContext): ExistingOrder | null {
  if (ctx.order.status === 'none') return null;
  if (ctx.order.orderId !== orderId) {
    throw new SagaContextError(`context holds order ${ctx.order.orderId}, event is for ${orderId}`, false);
  }
  return ctx.order;
}

function requireOrder(orderId: string, ctx: SagaContext): ExistingOrder {
  const order = orderFor(orderId, ctx);
  if (!order) throw new SagaContextError(`order ${orderId} not found in the context`, true);
  return order;
}

function dueAt(now: string, timeoutMs: number): string {
  const t = Date.parse(now);
  if (Number.isNaN(t)) throw new SagaContextError(`now is not a timestamp: ${now}`, false);
  return new Date(t + timeoutMs).toISOString();
}

/**
 * The payment's status: from the context when the runtime loaded it, otherwise
 * inferred from the order, relying on `OrderConfirmed`'s capture having run before any
 * later order event (the order stream is processed in order).
 */
export function paymentStatusOf(order: ExistingOrder, known: PaymentStatus | undefined): PaymentStatus {
  if (known) return known;
  if (order.payment === 'failed') return 'declined';
  if (order.payment === 'pending') return 'none';
  const wasConfirmed =
    order.status === 'confirmed' || order.status === 'shipped' || (order.status === 'cancelled' && order.wasConfirmed);
  return wasConfirmed ? 'captured' : 'authorised';
}

/** Undo the money side: void a hold, refund a charge, nothing otherwise. */
function compensatePayment(orderId: string, payment: PaymentStatus): SagaStep[] {
  switch (payment) {
    case 'authorised':
      return [paymentStep({ type: 'VoidPayment', data: { orderId } })];
    case 'captured':
      return [paymentStep({ type: 'RefundPayment', data: { orderId } })];
    case 'none': // nothing recorded; a late PaymentAuthorised voids itself (see react)
    case 'declined':
    case 'voided':
    case 'refunded':
      return [];
    default: {
      const unhandled: never = payment;
      return unhandled;
    }
  }
}

function onPlaced(data: OrderPlacedData, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(data.orderId, ctx);
  // Closed already: whatever closed it issued the compensation; starting work now would leak it.
  if (order.status !== 'placed') return [];
  const { orderId } = data;
  return [
    { kind: 'scheduleTimeout', orderId, dueAt: dueAt(ctx.now, ctx.timeoutMs) },
    ...data.lines.map((l) => inventoryStep({ type: 'ReserveStock', data: { sku: l.sku, orderId, quantity: l.quantity } })),
    {
      kind: 'authorise',
      orderId,
      amountMinor: data.totalMinor,
      currency: data.currency,
      paymentRef: data.paymentRef,
      idempotencyKey: gatewayKey('authorise', orderId),
    },
  ];
}

function confirmIfReady(orderId: string, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  if (order.status !== 'placed' || order.stock !== 'reserved' || order.payment !== 'authorised') return [];
  return [orderStep({ type: 'ConfirmOrder', data: { orderId, now: ctx.now } })];
}

function rejectIfPlaced(orderId: string, reason: string, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  if (order.status !== 'placed') return [];
  return [orderStep({ type: 'RejectOrder', data: { orderId, reason, now: ctx.now } })];
}

function onConfirmed(orderId: string, ctx: SagaContext): SagaStep[] {
  requireOrder(orderId, ctx);
  // Capture only once the confirmation is recorded, so a cancel racing ConfirmOrder
  // never meets captured money on an order that was not confirmed.
  const capture = ctx.payment === undefined || ctx.payment === 'authorised';
  return [
    { kind: 'clearTimeout', orderId },
    ...(capture ? [paymentStep({ type: 'CapturePayment', data: { orderId } })] : []),
  ];
}

function onClosed(orderId: string, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  return [
    ...order.lines.map((l) => inventoryStep({ type: 'ReleaseStock', data: { sku: l.sku, orderId } })),
    ...compensatePayment(orderId, paymentStatusOf(order, ctx.payment)),
    { kind: 'clearTimeout', orderId },
  ];
}

function onStockFact(sku: string, orderId: string, fact: 'held' | 'rejected', ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  if (order.status === 'rejected' || order.status === 'cancelled') {
    // A hold that landed after the order closed is released on its own.
    return fact === 'held' ? [inventoryStep({ type: 'ReleaseStock', data: { sku, orderId } })] : [];
  }
  if (order.status !== 'placed' || order.stock !== 'pending') return [];
  // The loaded facts are at least as new as the event; the event fills a gap only.
  const statusOf = (lineSku: string): ReservationStatus => {
    const known = ctx.reservations?.[lineSku] ?? 'none';
    return known === 'none' && lineSku === sku ? fact : known;
  };
  const short = order.lines.filter((l) => statusOf(l.sku) === 'rejected').map((l) => l.sku);
  if (short.length > 0) {
    const reason = `insufficient stock for ${short.join(', ')}`;
    return [orderStep({ type: 'MarkStockShort', data: { orderId, reason } })];
  }
  if (order.lines.every((l) => statusOf(l.sku) === 'held')) {
    return [orderStep({ type: 'MarkStockReserved', data: { orderId } })];
  }
  return []; // still waiting for other lines
}

function onAuthorised(orderId: string, authorisationId: string, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  switch (order.status) {
    case 'placed':
      return [orderStep({ type: 'MarkPaymentAuthorised', data: { orderId, authorisationId } })];
    case 'rejected':
    case 'cancelled':
      // The order recorded this authorisation, so its OrderRejected/OrderCancelled owns the
      // compensation (voiding here could overtake a pending capture and refund).
      if (order.payment === 'authorised') return [];
      // A late authorisation the order never saw: the event itself proves a hold exists.
      return compensatePayment(orderId, ctx.payment ?? 'authorised');
    case 'confirmed':
    case 'shipped':
      return [];
    default: {
      const unhandled: never = order;
      return unhandled;
    }
  }
}

function onDeclined(orderId: string, reason: string, ctx: SagaContext): SagaStep[] {
  const order = requireOrder(orderId, ctx);
  if (order.status !== 'placed') return [];
  return [orderStep({ type: 'MarkPaymentFailed', data: { orderId, reason } })];
}

/**
 * The steps one stored event calls for. Pure. Every returned step is safe to repeat, so
 * reacting twice to the same event (at-least-once delivery) is harmless: the second
 * reaction's steps are no-ops for the deciders, the gateway and the timeout table.
 * Events the saga does not care about yield `[]`.
 * @throws SagaContextError when `ctx.order` is another order (not retriable) or missing
 * (retriable), or `ctx.now` is not a timestamp.
 */
export function react(envelope: EventEnvelope, ctx: SagaContext): SagaStep[] {
  const event: DomainEvent = eventOf(envelope);
  switch (event.type) {
    case 'OrderPlaced':
      return onPlaced(event.data, ctx);
    case 'OrderStockReserved':
    case 'OrderPaymentAuthorised':
      return confirmIfReady(event.data.orderId, ctx);
    case 'OrderStockShort':
      return rejectIfPlaced(event.data.orderId, `stock short: ${event.data.reason}`, ctx);
    case 'OrderPaymentFailed':
      return rejectIfPlaced(event.data.orderId, `payment failed: ${event.data.reason}`, ctx);
    case 'OrderConfirmed':
      return onConfirmed(event.data.orderId, ctx);
    case 'OrderRejected':
    case 'OrderCancelled':
      return onClosed(event.data.orderId, ctx);
    case 'OrderShipped': {
      const order = requireOrder(event.data.orderId, ctx);
      const { orderId } = event.data;
      return order.lines.map((l) => inventoryStep({ type: 'CommitStock', data: { sku: l.sku, orderId } }));
    }
    case 'StockReserved':
      return onStockFact(event.data.sku, event.data.orderId, 'held', ctx);
    case 'StockReservationRejected':
      return onStockFact(event.data.sku, event.data.orderId, 'rejected', ctx);
    case 'PaymentAuthorised':
      return onAuthorised(event.data.orderId, event.data.authorisationId, ctx);
    case 'PaymentDeclined':
      return onDeclined(event.data.orderId, event.data.reason, ctx);
    case 'PaymentCaptured':
    case 'PaymentVoided':
    case 'PaymentRefunded':
    case 'StockReleased':
    case 'StockCommitted':
    case 'StockRestocked':
    case 'StockAdjusted':
    case 'ProductDefined':
    case 'ProductPriceChanged':
      return [];
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/**
 * The steps a due timeout row calls for: a still-placed order is rejected with
 * {@link TIMEOUT_REASON} (its `OrderRejected` then releases, voids and clears the row);
 * for any other order the row is stale and is cleared. Pure and safe to repeat.
 * @throws SagaContextError when `ctx.order` is another order.
 */
export function onTimeout(timeout: SagaTimedOut, ctx: SagaContext): SagaStep[] {
  const { orderId } = timeout;
  const order = orderFor(orderId, ctx);
  if (order?.status === 'placed') {
    return [orderStep({ type: 'RejectOrder', data: { orderId, reason: TIMEOUT_REASON, now: ctx.now } })];
  }
  return [{ kind: 'clearTimeout', orderId }];
}

/**
 * The order steps that facts already in the store call for, without waiting for the inventory and
 * payment events to come back through the relay and Kafka: once every line is held and the payment
 * is authorised, mark both and confirm, in that order; a short line or a decline is marked (its
 * event then rejects the order as usual). The runtime calls this right after the reaction to
 * `OrderPlaced` ran both branches. Pure, and a repeat of what the events' own reactions do later
 * (those then find the marks recorded, and the deciders return `[]`).
 * @throws SagaContextError when `ctx.order` is another order.
 */
export function settleFromFacts(orderId: string, ctx: SagaContext): SagaStep[] {
  const order = orderFor(orderId, ctx);
  if (order?.status !== 'placed' || !ctx.reservations) return [];
  const steps: SagaStep[] = [];
  let { stock, payment } = order;
  const facts = order.lines.map((l) => ctx.reservations?.[l.sku] ?? 'none');
  if (stock === 'pending' && facts.includes('rejected')) {
    const short = order.lines.filter((_, i) => facts[i] === 'rejected').map((l) => l.sku);
    steps.push(orderStep({ type: 'MarkStockShort', data: { orderId, reason: `insufficient stock for ${short.join(', ')}` } }));
    stock = 'short';
  } else if (stock === 'pending' && facts.every((f) => f === 'held')) {
    steps.push(orderStep({ type: 'MarkStockReserved', data: { orderId } }));
    stock = 'reserved';
  }
  if (payment === 'pending' && ctx.payment === 'authorised' && ctx.authorisationId !== undefined) {
    steps.push(orderStep({ type: 'MarkPaymentAuthorised', data: { orderId, authorisationId: ctx.authorisationId } }));
    payment = 'authorised';
  } else if (payment === 'pending' && ctx.payment === 'declined') {
    steps.push(orderStep({ type: 'MarkPaymentFailed', data: { orderId, reason: ctx.declineReason ?? 'declined' } }));
    payment = 'failed';
  }
  if (stock === 'reserved' && payment === 'authorised') steps.push(orderStep({ type: 'ConfirmOrder', data: { orderId, now: ctx.now } }));
  return steps;
}
