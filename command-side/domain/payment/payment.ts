import type { PaymentsEvent } from '../../../contracts/index.ts';

/** Events of the payment aggregate (stream `payment-<orderId>`). */
export type PaymentEvent = PaymentsEvent;

/** An authorised hold, and what became of it. */
interface Hold {
  orderId: string;
  amountMinor: number;
  currency: string;
  authorisationId: string;
}

/**
 * Payment of one order: none -> authorised | declined; authorised -> captured | voided;
 * captured -> refunded.
 */
export type PaymentState =
  | { status: 'none' }
  | { status: 'declined'; orderId: string; reason: string }
  | ({ status: 'authorised' } & Hold)
  | ({ status: 'captured' } & Hold)
  | ({ status: 'voided' } & Hold)
  | ({ status: 'refunded' } & Hold);

/** State of a stream with no events. */
export const initialState: PaymentState = { status: 'none' };

/** Applies one event. Pure; transitions that need a hold are ignored without one. */
export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'PaymentAuthorised':
      return { status: 'authorised', ...event.data };
    case 'PaymentDeclined':
      return { status: 'declined', ...event.data };
    case 'PaymentCaptured':
      return state.status === 'authorised' ? { ...state, status: 'captured' } : state;
    case 'PaymentVoided':
      return state.status === 'authorised' ? { ...state, status: 'voided' } : state;
    case 'PaymentRefunded':
      return state.status === 'captured' ? { ...state, status: 'refunded' } : state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
