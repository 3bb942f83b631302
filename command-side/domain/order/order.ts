import type { OrderLine, OrdersEvent } from '../../../contracts/index.ts';

/** Events of the order aggregate (stream `order-<orderId>`). */
export type OrderEvent = OrdersEvent;

/** What every placed order knows about itself, whatever its status. */
export interface OrderInfo {
  orderId: string;
  customerId: string;
  currency: string;
  totalMinor: number;
  lines: OrderLine[];
  /** Saga progress; kept after the order closes so repeats stay recognisable. */
  stock: 'pending' | 'reserved' | 'short';
  payment: 'pending' | 'authorised' | 'failed';
  authorisationId: string | null;
}

/**
 * Order lifecycle: placed -> confirmed -> shipped; placed|confirmed -> cancelled;
 * placed -> rejected.
 */
export type OrderState =
  | { status: 'none' }
  | ({ status: 'placed' } & OrderInfo)
  | ({ status: 'confirmed' } & OrderInfo)
  | ({ status: 'shipped' } & OrderInfo)
  | ({ status: 'rejected'; reason: string } & OrderInfo)
  | ({ status: 'cancelled'; reason: string; wasConfirmed: boolean } & OrderInfo);

/** An order that exists. */
export type ExistingOrder = Exclude<OrderState, { status: 'none' }>;

/** State of a stream with no events. */
export const initialState: OrderState = { status: 'none' };

/** Applies one event. Pure; events before `OrderPlaced` are ignored. */
export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const { orderId, customerId, currency, totalMinor, lines } = event.data;
    return {
      status: 'placed',
      orderId,
      customerId,
      currency,
      totalMinor,
      lines,
      stock: 'pending',
      payment: 'pending',
      authorisationId: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OrderStockReserved':
      return { ...state, stock: 'reserved' };
    case 'OrderStockShort':
      return { ...state, stock: 'short' };
    case 'OrderPaymentAuthorised':
      return { ...state, payment: 'authorised', authorisationId: event.data.authorisationId };
    case 'OrderPaymentFailed':
      return { ...state, payment: 'failed' };
    case 'OrderConfirmed':
      return { ...state, status: 'confirmed' };
    case 'OrderShipped':
      return { ...state, status: 'shipped' };
    case 'OrderRejected':
      return { ...state, status: 'rejected', reason: event.data.reason };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled', reason: event.data.reason, wasConfirmed: event.data.wasConfirmed };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
