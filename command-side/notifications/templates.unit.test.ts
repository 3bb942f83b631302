import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contracts/events/registry.ts';
import { customerEmail, formatMinor, notificationFor, renderNotification, type OrderSummary } from './templates.ts';

const order: OrderSummary = { orderId: 'ord-1', customerId: 'cust-7', currency: 'EUR', totalMinor: 123456 };
const at = '2025-01-02T03:04:05.000Z';

describe('formatMinor', () => {
  it('formats integer minor units exactly, per currency exponent', () => {
    expect(formatMinor(123456, 'EUR')).toBe('EUR 1,234.56');
    expect(formatMinor(5, 'USD')).toBe('USD 0.05');
    expect(formatMinor(0, 'GBP')).toBe('GBP 0.00');
    expect(formatMinor(500, 'JPY')).toBe('JPY 500');
    expect(formatMinor(1234, 'KWD')).toBe('KWD 1.234');
    expect(formatMinor(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('EUR 90,071,992,547,409.91');
  });
});

describe('customerEmail', () => {
  it('falls back to the test domain, and prefers a lookup', () => {
    expect(customerEmail('cust-7')).toBe('cust-7@customers.orderflow.test');
    expect(customerEmail('cust-7', (id) => (id === 'cust-7' ? 'ann@example.test' : undefined))).toBe('ann@example.test');
    expect(customerEmail('cust-8', () => undefined)).toBe('cust-8@customers.orderflow.test');
  });

  it('cannot be used to inject headers or extra recipients', () => {
    expect(customerEmail('a b\r\nBcc: x@evil.test,c')).toBe('a_b__Bcc__x_evil.test_c@customers.orderflow.test');
  });
});

describe('renderNotification', () => {
  it('confirmation names the order and the total', () => {
    const msg = renderNotification(
      { type: 'OrderConfirmed', data: { orderId: 'ord-1', customerId: 'cust-7', currency: 'EUR', totalMinor: 123456, confirmedAt: at } },
      order,
      'cust-7@customers.orderflow.test',
    );
    expect(msg).toMatchObject({ to: 'cust-7@customers.orderflow.test', idempotencyKey: 'OrderConfirmed:ord-1' });
    expect(msg.subject).toBe('Order ord-1 confirmed');
    expect(msg.text).toContain('EUR 1,234.56');
  });

  it('rejection gives the reason', () => {
    const msg = renderNotification(
      { type: 'OrderRejected', data: { orderId: 'ord-1', customerId: 'cust-7', reason: 'payment failed: card_declined', rejectedAt: at } },
      order,
      'x@y.test',
    );
    expect(msg.subject).toContain('ord-1');
    expect(msg.text).toContain('Reason: payment failed: card_declined');
    expect(msg.text).toContain('EUR 1,234.56');
  });

  it('shipping takes the total from the order summary', () => {
    const msg = renderNotification({ type: 'OrderShipped', data: { orderId: 'ord-1', shippedAt: at } }, order, 'x@y.test');
    expect(msg.subject).toBe('Order ord-1 shipped');
    expect(msg.text).toContain('EUR 1,234.56');
  });

  it('cancellation promises a refund only when the order had been confirmed', () => {
    const data = { orderId: 'ord-1', customerId: 'cust-7', reason: 'changed my mind', currency: 'EUR', totalMinor: 999, cancelledAt: at };
    const confirmed = renderNotification({ type: 'OrderCancelled', data: { ...data, wasConfirmed: true } }, order, 'x@y.test');
    const placed = renderNotification({ type: 'OrderCancelled', data: { ...data, wasConfirmed: false } }, order, 'x@y.test');
    expect(confirmed.text).toContain('EUR 9.99 will be refunded');
    expect(placed.text).not.toContain('refunded');
    expect(placed.text).toContain('Reason: changed my mind');
  });
});

describe('notificationFor', () => {
  it('is null for events customers are not told about', () => {
    const e: DomainEvent = { type: 'OrderStockReserved', data: { orderId: 'ord-1' } };
    expect(notificationFor(e, order)).toBeNull();
  });

  it('addresses the customer of the order', () => {
    const e: DomainEvent = { type: 'OrderShipped', data: { orderId: 'ord-1', shippedAt: at } };
    expect(notificationFor(e, order)?.to).toBe('cust-7@customers.orderflow.test');
  });
});
