import { describe, expect, it } from 'vitest';
import { aggregateOfStream, toJsonable } from './streamHistory.ts';

describe('streams show helpers', () => {
  it('finds the decider by stream prefix', () => {
    expect(aggregateOfStream('order-123')).toMatchObject({ aggregate: 'order', id: '123' });
    expect(aggregateOfStream('inventory-MUG')).toMatchObject({ aggregate: 'inventory', id: 'MUG' });
    expect(aggregateOfStream('payment-9')).toMatchObject({ aggregate: 'payment' });
    expect(aggregateOfStream('product-MUG')).toMatchObject({ aggregate: 'product' });
    expect(aggregateOfStream('saga-1')).toBeUndefined();
    expect(aggregateOfStream('order-')).toBeUndefined();
  });

  it('folds with it', () => {
    const fold = aggregateOfStream('inventory-MUG')?.fold;
    expect(toJsonable(fold?.([{ type: 'StockRestocked', data: { sku: 'MUG', quantity: 3 } }, { type: 'StockReserved', data: { sku: 'MUG', orderId: 'o1', quantity: 1 } }]))).toEqual({
      onHand: 3, reserved: 1, reservations: { o1: { status: 'held', quantity: 1 } },
    });
  });

  it('prints maps, sets and dates as JSON', () => {
    expect(toJsonable({ m: new Map([['a', new Set([1])]]), d: new Date('2026-01-01T00:00:00Z') })).toEqual({ m: { a: [1] }, d: '2026-01-01T00:00:00.000Z' });
  });
});
