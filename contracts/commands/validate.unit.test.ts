import { describe, expect, it } from 'vitest';
import { AdjustStockInput, CancelOrderInput, DefineProductInput, PlaceOrderInput, RestockInput, validateCommand } from './index.ts';

const order = {
  customerId: 'cust-1',
  lines: [{ sku: 'MUG-1', quantity: 2 }],
  shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' },
  paymentToken: 'tok',
};

describe('validateCommand', () => {
  it('returns the parsed value when valid', () => {
    expect(validateCommand(PlaceOrderInput, order)).toEqual({ ok: true, value: order });
    const product = { sku: 'MUG-1', name: 'Mug', unitPrice: { amountMinor: 1200, currency: 'EUR' } };
    expect(validateCommand(DefineProductInput, product)).toEqual({ ok: true, value: product });
  });

  it('reports issues with string paths', () => {
    const result = validateCommand(PlaceOrderInput, { ...order, lines: [{ sku: 'mug', quantity: 0 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual([['lines', '0', 'sku'], ['lines', '0', 'quantity']]);
  });

  it('refuses NUL in free text (Postgres stores it neither in text nor in jsonb)', () => {
    const r = validateCommand(CancelOrderInput, { orderId: '00000000-0000-4000-8000-000000000000', reason: 'oops\u0000' });
    expect(r).toEqual({ ok: false, issues: [{ path: ['reason'], message: 'must not contain NUL (U+0000)' }] });
  });

  it('rejects duplicate skus, too many lines and bad countries', () => {
    const dup = validateCommand(PlaceOrderInput, { ...order, lines: [order.lines[0], order.lines[0]] });
    expect(dup).toEqual({ ok: false, issues: [{ path: ['lines', '1', 'sku'], message: 'duplicate sku MUG-1' }] });
    const many = Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1 }));
    expect(validateCommand(PlaceOrderInput, { ...order, lines: many }).ok).toBe(false);
    const country = { ...order.shippingAddress, country: 'FRA' };
    expect(validateCommand(PlaceOrderInput, { ...order, shippingAddress: country }).ok).toBe(false);
  });

  it('checks ids, amounts and deltas', () => {
    expect(validateCommand(PlaceOrderInput, { ...order, orderId: 'not-a-uuid' }).ok).toBe(false);
    expect(validateCommand(CancelOrderInput, { orderId: '0b6a3c1e-7d2f-4e8a-9c1b-2f3e4d5a6b7c', reason: 'x' }).ok).toBe(true);
    expect(validateCommand(DefineProductInput, { sku: 'A', name: 'A', unitPrice: { amountMinor: 0, currency: 'EUR' } }).ok).toBe(false);
    expect(validateCommand(RestockInput, { sku: 'A', quantity: 1_000_001 }).ok).toBe(false);
    expect(validateCommand(AdjustStockInput, { sku: 'A', delta: 0, reason: 'x' }).ok).toBe(false);
    expect(validateCommand(AdjustStockInput, { sku: 'A', delta: -5, reason: 'x' }).ok).toBe(true);
  });
});
