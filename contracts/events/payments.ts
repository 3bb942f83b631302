import { z } from 'zod';
import { AmountMinor, Currency, Id } from '../primitives.ts';
import type { EventsOf } from './family.ts';

/** PaymentAuthorised v1: the gateway placed a hold. Stream `payment-<orderId>`. */
export const PaymentAuthorisedData = z.object({
  orderId: Id,
  amountMinor: AmountMinor,
  currency: Currency,
  authorisationId: Id,
});
export type PaymentAuthorisedData = z.infer<typeof PaymentAuthorisedData>;

/** PaymentDeclined v1: the gateway refused. */
export const PaymentDeclinedData = z.object({ orderId: Id, reason: z.string().min(1) });
export type PaymentDeclinedData = z.infer<typeof PaymentDeclinedData>;

/** PaymentCaptured v1: the hold was turned into a charge. */
export const PaymentCapturedData = z.object({ orderId: Id, amountMinor: AmountMinor, currency: Currency });
export type PaymentCapturedData = z.infer<typeof PaymentCapturedData>;

/** PaymentVoided v1: the hold was released without charging. */
export const PaymentVoidedData = z.object({ orderId: Id });
export type PaymentVoidedData = z.infer<typeof PaymentVoidedData>;

/** PaymentRefunded v1: a captured charge was paid back. */
export const PaymentRefundedData = z.object({ orderId: Id, amountMinor: AmountMinor, currency: Currency });
export type PaymentRefundedData = z.infer<typeof PaymentRefundedData>;

/** Current version + schema of every payment event (topic `payments.events`). */
export const paymentsEvents = {
  PaymentAuthorised: { version: 1, schema: PaymentAuthorisedData },
  PaymentDeclined: { version: 1, schema: PaymentDeclinedData },
  PaymentCaptured: { version: 1, schema: PaymentCapturedData },
  PaymentVoided: { version: 1, schema: PaymentVoidedData },
  PaymentRefunded: { version: 1, schema: PaymentRefundedData },
} as const;

/** Union of payment events at their current version. */
export type PaymentsEvent = EventsOf<typeof paymentsEvents>;
