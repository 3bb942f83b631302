import type { DomainEvent } from '../../contracts/index.ts';
import type { NotificationMessage } from './notifier.ts';

/** The order transitions a customer hears about. */
export const NOTIFIABLE_TYPES = ['OrderConfirmed', 'OrderRejected', 'OrderShipped', 'OrderCancelled'] as const;

/** An order event a customer is told about. */
export type NotifiableEvent = Extract<DomainEvent, { type: (typeof NOTIFIABLE_TYPES)[number] }>;

/** What the message needs to know about the order beyond the event (e.g. OrderShipped has no total). */
export interface OrderSummary {
  orderId: string;
  customerId: string;
  currency: string;
  totalMinor: number;
}

/** Finds a customer's address; `undefined` falls back to the test domain. */
export type EmailLookup = (customerId: string) => string | undefined;

/** Domain of the fallback addresses; `.test` is reserved and never delivers to the internet. */
export const CUSTOMER_EMAIL_DOMAIN = 'customers.orderflow.test';

/** True for the events {@link renderNotification} accepts. */
export function isNotifiable(event: DomainEvent): event is NotifiableEvent {
  return (NOTIFIABLE_TYPES as readonly string[]).includes(event.type);
}

/**
 * The customer's address: the lookup's answer, else `<customerId>@customers.orderflow.test`
 * with characters outside `[A-Za-z0-9._+-]` replaced by `_` (ids are free text).
 */
export function customerEmail(customerId: string, lookup?: EmailLookup): string {
  const found = lookup?.(customerId);
  if (found) return found;
  return `${customerId.replace(/[^A-Za-z0-9._+-]/g, '_')}@${CUSTOMER_EMAIL_DOMAIN}`;
}

/** Digits after the decimal point of a currency (ISO 4217 via Intl; 2 when unknown). */
function minorDigits(currency: string): number {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    return digits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * Formats integer minor units exactly (BigInt arithmetic, no floats), e.g.
 * `formatMinor(123456, 'EUR')` → `EUR 1,234.56`, `formatMinor(500, 'JPY')` → `JPY 500`.
 */
export function formatMinor(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = BigInt(Math.abs(Math.trunc(amountMinor)));
  const unit = 10n ** BigInt(digits);
  const whole = (abs / unit).toLocaleString('en-US');
  const frac = digits > 0 ? `.${(abs % unit).toString().padStart(digits, '0')}` : '';
  return `${currency} ${sign}${whole}${frac}`;
}

/** The idempotency key of a transition's message: each transition happens once per order. */
export function notificationKey(event: NotifiableEvent): string {
  return `${event.type}:${event.data.orderId}`;
}

const SIGNATURE = '\n\n-- \norderflow';

/**
 * Builds the customer message for an order transition. Pure.
 * Subject and text name the order; text gives the total and, for rejections and
 * cancellations, the reason and what happens to the money.
 */
export function renderNotification(event: NotifiableEvent, order: OrderSummary, to: string): NotificationMessage {
  const id = event.data.orderId;
  const total = formatMinor(order.totalMinor, order.currency);
  const idempotencyKey = notificationKey(event);
  switch (event.type) {
    case 'OrderConfirmed':
      return {
        to,
        idempotencyKey,
        subject: `Order ${id} confirmed`,
        text: `Thank you! Your order ${id} is confirmed.\nTotal: ${formatMinor(event.data.totalMinor, event.data.currency)}\n\nWe will write again when it ships.${SIGNATURE}`,
      };
    case 'OrderRejected':
      return {
        to,
        idempotencyKey,
        subject: `Order ${id} could not be accepted`,
        text: `We are sorry: your order ${id} could not be accepted.\nReason: ${event.data.reason}\nTotal: ${total}\n\nNothing was charged; any hold on your card has been released.${SIGNATURE}`,
      };
    case 'OrderShipped':
      return {
        to,
        idempotencyKey,
        subject: `Order ${id} shipped`,
        text: `Good news: your order ${id} has shipped (${event.data.shippedAt}).\nTotal: ${total}${SIGNATURE}`,
      };
    case 'OrderCancelled': {
      const money = event.data.wasConfirmed
        ? `The amount of ${formatMinor(event.data.totalMinor, event.data.currency)} will be refunded to your card.`
        : 'Nothing was charged; any hold on your card has been released.';
      return {
        to,
        idempotencyKey,
        subject: `Order ${id} cancelled`,
        text: `Your order ${id} has been cancelled.\nReason: ${event.data.reason}\nTotal: ${formatMinor(event.data.totalMinor, event.data.currency)}\n\n${money}${SIGNATURE}`,
      };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`unknown notifiable event ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The message for any event, or `null` when customers are not told about it. The
 * address comes from {@link customerEmail}.
 */
export function notificationFor(event: DomainEvent, order: OrderSummary, lookup?: EmailLookup): NotificationMessage | null {
  if (!isNotifiable(event)) return null;
  return renderNotification(event, order, customerEmail(order.customerId, lookup));
}
