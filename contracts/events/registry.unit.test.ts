import { describe, expect, it } from 'vitest';
import { ContractError } from '../errors.ts';
import { CURRENT_VERSION, EVENT_FAMILIES, familyOf, parseEventData, topicOf, type EventType } from './index.ts';

describe('event registry', () => {
  it('maps each type to its family topic', () => {
    expect(familyOf('ProductDefined')).toBe('catalogue');
    expect(topicOf('OrderCancelled')).toBe('orders.events');
    expect(topicOf('StockCommitted')).toBe('inventory.events');
    expect(topicOf('PaymentRefunded')).toBe('payments.events');
  });

  it('knows the current version of every type', () => {
    const types = Object.values(EVENT_FAMILIES).flatMap((f) => Object.keys(f)) as EventType[];
    expect(types).toHaveLength(22);
    for (const t of types) expect(CURRENT_VERSION[t]).toBeGreaterThanOrEqual(1);
  });
});

describe('parseEventData', () => {
  it('is UNKNOWN_EVENT_TYPE for an unknown type (including prototype names)', () => {
    for (const type of ['OrderTeleported', 'constructor', '__proto__']) {
      expect(() => parseEventData(type, 1, {})).toThrow(expect.objectContaining({ code: 'UNKNOWN_EVENT_TYPE' }));
    }
  });

  it('validates and strips unknown keys', () => {
    const e = parseEventData('StockReserved', 1, { sku: 'MUG', orderId: 'o1', quantity: 2, extra: true });
    expect(e).toEqual({ type: 'StockReserved', data: { sku: 'MUG', orderId: 'o1', quantity: 2 } });
  });

  it('is INVALID_EVENT with paths for bad data', () => {
    try {
      parseEventData('PaymentCaptured', 1, { orderId: 'o1', amountMinor: 10.5, currency: 'eur' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ContractError);
      const err = e as ContractError;
      expect(err.code).toBe('INVALID_EVENT');
      expect(err.issues.map((i) => i.path)).toEqual([['amountMinor'], ['currency']]);
    }
  });

  it('rejects an OrderPlaced whose total disagrees with its lines', () => {
    const data = {
      orderId: 'o1', customerId: 'c1', currency: 'EUR', totalMinor: 1,
      lines: [{ sku: 'A', quantity: 2, unitPriceMinor: 5, lineTotalMinor: 10 }],
      shippingAddress: { line1: 'x', city: 'y', postalCode: 'z', country: 'FR' },
      paymentToken: 't', placedAt: '2025-01-01T00:00:00Z',
    };
    expect(() => parseEventData('OrderPlaced', 2, data)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
    expect(parseEventData('OrderPlaced', 2, { ...data, totalMinor: 10 }).type).toBe('OrderPlaced');
  });

  it('rejects unsafe integers for money', () => {
    const data = { orderId: 'o1', amountMinor: 2 ** 53, currency: 'EUR' };
    expect(() => parseEventData('PaymentRefunded', 1, data)).toThrow(ContractError);
  });
});
