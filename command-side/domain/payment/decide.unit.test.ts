import { describe, expect, it } from 'vitest';
import { paymentDecider } from '../aggregate.ts';
import { deciderSpec } from '../../../tests/support/deciderSpec.ts';
import type { PaymentCommand } from './decide.ts';
import type { PaymentEvent } from './payment.ts';

const spec = deciderSpec(paymentDecider);
const orderId = 'o1';
const money = { amountMinor: 3750, currency: 'EUR' };
const authorised: PaymentEvent = { type: 'PaymentAuthorised', data: { orderId, ...money, authorisationId: 'auth-1' } };
const declined: PaymentEvent = { type: 'PaymentDeclined', data: { orderId, reason: 'insufficient funds' } };
const captured: PaymentEvent = { type: 'PaymentCaptured', data: { orderId, ...money } };
const voided: PaymentEvent = { type: 'PaymentVoided', data: { orderId } };
const refunded: PaymentEvent = { type: 'PaymentRefunded', data: { orderId, ...money } };

const record = (outcome: Extract<PaymentCommand, { type: 'RecordAuthorisation' }>['data']['outcome']): PaymentCommand => ({
  type: 'RecordAuthorisation',
  data: { orderId, outcome, ...money },
});
const authorise = record({ kind: 'authorised', authorisationId: 'auth-1' });
const decline = record({ kind: 'declined', reason: 'insufficient funds' });
const capture: PaymentCommand = { type: 'CapturePayment', data: { orderId } };
const voidIt: PaymentCommand = { type: 'VoidPayment', data: { orderId } };
const refund: PaymentCommand = { type: 'RefundPayment', data: { orderId } };

describe('payment decide', () => {
  describe('RecordAuthorisation', () => {
    it('records the gateway outcome', () => {
      spec.given([]).when(authorise).then([authorised]);
      spec.given([]).when(decline).then([declined]);
    });
    it('keeps the first outcome: a second record is a no-op', () => {
      spec.given([authorised]).when(authorise).then([]);
      spec.given([authorised]).when(decline).then([]);
      spec.given([declined]).when(authorise).then([]);
      spec.given([authorised, captured]).when(authorise).then([]);
    });
    it('is BAD_USER_INPUT for a bad amount or currency', () => {
      const bad = (amountMinor: number, currency: string): PaymentCommand => ({
        type: 'RecordAuthorisation',
        data: { orderId, outcome: { kind: 'authorised', authorisationId: 'a' }, amountMinor, currency },
      });
      spec.given([]).when(bad(0, 'EUR')).thenThrows('BAD_USER_INPUT', ['amountMinor']);
      spec.given([]).when(bad(1, 'eur')).thenThrows('BAD_USER_INPUT', ['currency']);
    });
  });

  describe('CapturePayment', () => {
    it('captures an authorised payment once', () => {
      spec.given([authorised]).when(capture).then([captured]);
      spec.given([authorised, captured]).when(capture).then([]);
      spec.given([authorised, captured, refunded]).when(capture).then([]);
    });
    it('is CONFLICT when declined or voided, NOT_FOUND when unknown', () => {
      spec.given([declined]).when(capture).thenThrows('CONFLICT');
      spec.given([authorised, voided]).when(capture).thenThrows('CONFLICT');
      spec.given([]).when(capture).thenThrows('NOT_FOUND');
    });
  });

  describe('VoidPayment', () => {
    it('voids an authorised, uncaptured payment once', () => {
      spec.given([authorised]).when(voidIt).then([voided]);
      spec.given([authorised, voided]).when(voidIt).then([]);
    });
    it('has nothing to void for a declined payment', () => spec.given([declined]).when(voidIt).then([]));
    it('is CONFLICT once captured, NOT_FOUND when unknown', () => {
      spec.given([authorised, captured]).when(voidIt).thenThrows('CONFLICT');
      spec.given([authorised, captured, refunded]).when(voidIt).thenThrows('CONFLICT');
      spec.given([]).when(voidIt).thenThrows('NOT_FOUND');
    });
  });

  describe('RefundPayment', () => {
    it('refunds a captured payment once', () => {
      spec.given([authorised, captured]).when(refund).then([refunded]);
      spec.given([authorised, captured, refunded]).when(refund).then([]);
    });
    it('is CONFLICT unless captured, NOT_FOUND when unknown', () => {
      spec.given([authorised]).when(refund).thenThrows('CONFLICT');
      spec.given([declined]).when(refund).thenThrows('CONFLICT');
      spec.given([authorised, voided]).when(refund).thenThrows('CONFLICT');
      spec.given([]).when(refund).thenThrows('NOT_FOUND');
    });
  });

  it('names its stream payment-<orderId>', () => expect(paymentDecider.streamId('o1')).toBe('payment-o1'));
});
