import { assertCurrency, assertPositiveInt, DomainError } from '../errors.ts';
import type { PaymentEvent, PaymentState } from './payment.ts';

/** What the gateway answered (the call itself happens in the saga, outside the domain). */
export type AuthorisationOutcome =
  | { kind: 'authorised'; authorisationId: string }
  | { kind: 'declined'; reason: string };

/** Saga: record the gateway's answer for an order's payment. */
export interface RecordAuthorisation {
  type: 'RecordAuthorisation';
  data: { orderId: string; outcome: AuthorisationOutcome; amountMinor: number; currency: string };
}
/** Saga: turn the hold into a charge (on shipping). */
export interface CapturePayment { type: 'CapturePayment'; data: { orderId: string } }
/** Saga: release the hold without charging (compensation). */
export interface VoidPayment { type: 'VoidPayment'; data: { orderId: string } }
/** Saga/operator: pay a captured charge back. */
export interface RefundPayment { type: 'RefundPayment'; data: { orderId: string } }

/** Commands of the payment aggregate. */
export type PaymentCommand = RecordAuthorisation | CapturePayment | VoidPayment | RefundPayment;

function conflict(orderId: string, action: string, status: string): DomainError {
  return new DomainError('CONFLICT', `cannot ${action} payment of order ${orderId}: it is ${status}`);
}

/**
 * Decides the events for a payment command. Never charges twice: a repeat of a step
 * already taken returns `[]` (a second RecordAuthorisation, Capture, Void or Refund).
 * @throws DomainError `NOT_FOUND` when nothing was recorded yet for capture, void or
 * refund; `CONFLICT` for a forbidden transition (capture a declined payment, void a
 * captured one, refund an uncaptured one); `BAD_USER_INPUT` for a bad amount or currency.
 */
export function decide(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  const { orderId } = command.data;
  if (command.type !== 'RecordAuthorisation' && state.status === 'none') {
    throw new DomainError('NOT_FOUND', `no payment recorded for order ${orderId}`);
  }
  switch (command.type) {
    case 'RecordAuthorisation': {
      const { outcome, amountMinor, currency } = command.data;
      assertPositiveInt(amountMinor, 'amountMinor', ['amountMinor']);
      assertCurrency(currency, ['currency']);
      // The first recorded outcome wins; a re-run saga must not authorise again.
      if (state.status !== 'none') return [];
      return outcome.kind === 'authorised'
        ? [{ type: 'PaymentAuthorised', data: { orderId, amountMinor, currency, authorisationId: outcome.authorisationId } }]
        : [{ type: 'PaymentDeclined', data: { orderId, reason: outcome.reason } }];
    }
    case 'CapturePayment': {
      if (state.status === 'captured' || state.status === 'refunded') return [];
      if (state.status !== 'authorised') throw conflict(orderId, 'capture', state.status);
      const { amountMinor, currency } = state;
      return [{ type: 'PaymentCaptured', data: { orderId, amountMinor, currency } }];
    }
    case 'VoidPayment': {
      // A declined payment holds nothing, so the compensation is already done.
      if (state.status === 'voided' || state.status === 'declined') return [];
      if (state.status !== 'authorised') throw conflict(orderId, 'void', state.status);
      return [{ type: 'PaymentVoided', data: { orderId } }];
    }
    case 'RefundPayment': {
      if (state.status === 'refunded') return [];
      if (state.status !== 'captured') throw conflict(orderId, 'refund', state.status);
      const { amountMinor, currency } = state;
      return [{ type: 'PaymentRefunded', data: { orderId, amountMinor, currency } }];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
}
