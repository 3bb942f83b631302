import type { ShippingAddress } from '../../../contracts/index.ts';
import { DomainError } from '../errors.ts';
import type { ExistingOrder, OrderEvent, OrderState } from './order.ts';
import { priceLines, type PriceCatalogue } from './pricing.ts';

type Cmd<T extends string, D> = { type: T; data: { orderId: string } & D };

/** Places an order; `catalogue` holds prices looked up by the handler, `now` is ISO-8601. */
export type PlaceOrder = Cmd<'PlaceOrder', {
  customerId: string;
  lines: { sku: string; quantity: number }[];
  shippingAddress: ShippingAddress;
  /** The payment provider's reference for the card (the handler exchanged the token for it). */
  paymentRef: string;
  now: string;
  catalogue: PriceCatalogue;
}>;
/** Saga: all lines' stock is held. */
export type MarkStockReserved = Cmd<'MarkStockReserved', object>;
/** Saga: some line could not be held. */
export type MarkStockShort = Cmd<'MarkStockShort', { reason: string }>;
/** Saga: the payment gateway authorised. */
export type MarkPaymentAuthorised = Cmd<'MarkPaymentAuthorised', { authorisationId: string }>;
/** Saga: the payment gateway declined or failed. */
export type MarkPaymentFailed = Cmd<'MarkPaymentFailed', { reason: string }>;
/** Saga: both stock and payment are in place. */
export type ConfirmOrder = Cmd<'ConfirmOrder', { now: string }>;
/** Saga: give up on a placed order (stock short, payment failed, timeout). */
export type RejectOrder = Cmd<'RejectOrder', { reason: string; now: string }>;
/** Operator: the parcel left. */
export type ShipOrder = Cmd<'ShipOrder', { now: string }>;
/** Customer or operator: cancel before shipping. */
export type CancelOrder = Cmd<'CancelOrder', { reason: string; now: string }>;

/** Commands of the order aggregate. */
export type OrderCommand =
  | PlaceOrder | MarkStockReserved | MarkStockShort | MarkPaymentAuthorised | MarkPaymentFailed
  | ConfirmOrder | RejectOrder | ShipOrder | CancelOrder;

function existing(state: OrderState, orderId: string): ExistingOrder {
  if (state.status === 'none') throw new DomainError('NOT_FOUND', `order ${orderId} not found`);
  return state;
}

/** Saga progress may only change while the order is still open. */
function assertPlaced(order: ExistingOrder, action: string): void {
  if (order.status !== 'placed') {
    throw new DomainError('CONFLICT', `cannot ${action}: order ${order.orderId} is ${order.status}`);
  }
}

function assertReason(reason: string): void {
  if (reason.trim() === '') throw new DomainError('BAD_USER_INPUT', 'reason must not be empty', ['reason']);
}

/**
 * Decides the events for an order command. Saga commands whose effect is already
 * recorded return `[]`, so a saga that crashed can simply run its steps again.
 * @throws DomainError `NOT_FOUND` for an unknown order; `CONFLICT` for a repeated
 * PlaceOrder or a transition the lifecycle forbids; `BAD_USER_INPUT` for bad lines or reasons.
 */
export function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  const { orderId } = command.data;
  switch (command.type) {
    case 'PlaceOrder': {
      if (state.status !== 'none') throw new DomainError('CONFLICT', `order ${orderId} already exists`);
      const { customerId, shippingAddress, paymentRef, now } = command.data;
      if (customerId === '') throw new DomainError('BAD_USER_INPUT', 'customerId is required', ['customerId']);
      if (paymentRef === '') throw new DomainError('BAD_USER_INPUT', 'paymentToken is required', ['paymentToken']);
      const priced = priceLines(command.data.lines, command.data.catalogue);
      // Only the provider's reference: a card token stored here would live forever in the log.
      const data = { orderId, customerId, ...priced, shippingAddress, paymentRef, placedAt: now };
      return [{ type: 'OrderPlaced', data }];
    }
    case 'MarkStockReserved': {
      const order = existing(state, orderId);
      if (order.stock === 'reserved') return [];
      if (order.stock === 'short') throw new DomainError('CONFLICT', `stock of order ${orderId} was reported short`);
      assertPlaced(order, 'mark stock reserved');
      return [{ type: 'OrderStockReserved', data: { orderId } }];
    }
    case 'MarkStockShort': {
      const order = existing(state, orderId);
      assertReason(command.data.reason);
      if (order.stock === 'short') return [];
      if (order.stock === 'reserved') throw new DomainError('CONFLICT', `stock of order ${orderId} is reserved`);
      assertPlaced(order, 'mark stock short');
      return [{ type: 'OrderStockShort', data: { orderId, reason: command.data.reason } }];
    }
    case 'MarkPaymentAuthorised': {
      const order = existing(state, orderId);
      const { authorisationId } = command.data;
      if (order.payment === 'authorised') {
        // A different authorisation for the same order would be a second charge.
        if (order.authorisationId === authorisationId) return [];
        throw new DomainError('CONFLICT', `order ${orderId} is already authorised as ${order.authorisationId}`);
      }
      if (order.payment === 'failed') throw new DomainError('CONFLICT', `payment of order ${orderId} failed`);
      assertPlaced(order, 'mark payment authorised');
      return [{ type: 'OrderPaymentAuthorised', data: { orderId, authorisationId } }];
    }
    case 'MarkPaymentFailed': {
      const order = existing(state, orderId);
      assertReason(command.data.reason);
      if (order.payment === 'failed') return [];
      if (order.payment === 'authorised') throw new DomainError('CONFLICT', `payment of order ${orderId} is authorised`);
      assertPlaced(order, 'mark payment failed');
      return [{ type: 'OrderPaymentFailed', data: { orderId, reason: command.data.reason } }];
    }
    case 'ConfirmOrder': {
      const order = existing(state, orderId);
      if (order.status === 'confirmed' || order.status === 'shipped') return [];
      assertPlaced(order, 'confirm');
      if (order.stock !== 'reserved' || order.payment !== 'authorised') {
        throw new DomainError('CONFLICT', `order ${orderId} needs reserved stock and an authorised payment`);
      }
      const { customerId, currency, totalMinor } = order;
      return [{ type: 'OrderConfirmed', data: { orderId, customerId, currency, totalMinor, confirmedAt: command.data.now } }];
    }
    case 'RejectOrder': {
      const order = existing(state, orderId);
      assertReason(command.data.reason);
      if (order.status === 'rejected') return [];
      assertPlaced(order, 'reject');
      const { reason, now } = command.data;
      return [{ type: 'OrderRejected', data: { orderId, customerId: order.customerId, reason, rejectedAt: now } }];
    }
    case 'ShipOrder': {
      const order = existing(state, orderId);
      if (order.status === 'shipped') return [];
      if (order.status !== 'confirmed') {
        throw new DomainError('CONFLICT', `only confirmed orders ship; order ${orderId} is ${order.status}`);
      }
      return [{ type: 'OrderShipped', data: { orderId, shippedAt: command.data.now } }];
    }
    case 'CancelOrder': {
      const order = existing(state, orderId);
      assertReason(command.data.reason);
      if (order.status === 'cancelled') return [];
      if (order.status !== 'placed' && order.status !== 'confirmed') {
        throw new DomainError('CONFLICT', `order ${orderId} is ${order.status} and can no longer be cancelled`);
      }
      const { customerId, currency, totalMinor } = order;
      const { reason, now } = command.data;
      const wasConfirmed = order.status === 'confirmed';
      return [{
        type: 'OrderCancelled',
        data: { orderId, customerId, reason, wasConfirmed, currency, totalMinor, cancelledAt: now },
      }];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
}
