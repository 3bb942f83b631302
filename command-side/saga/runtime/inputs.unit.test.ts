import { describe, expect, it } from 'vitest';
import { orderDecider } from '../../domain/aggregate.ts';
import { react } from '../fulfilment.ts';
import { createTestWorld } from '../../../tests/support/sagaTestWorld.ts';
import { orderIdOf, sagaReactsTo } from './inputs.ts';

describe('saga runtime inputs', () => {
  it('skips only event types the saga never reacts to, at any point of any order', async () => {
    const w = createTestWorld({ stock: { A: 5, B: 1 }, prices: { A: 100, B: 200 } });
    w.place('ok', [{ sku: 'A', quantity: 2 }], 'tok_visa');
    w.place('short', [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 3 }], 'tok_visa');
    w.place('declined', [{ sku: 'A', quantity: 1 }], 'tok_declined');
    w.place('shipped', [{ sku: 'A', quantity: 1 }], 'tok_visa');
    await w.drain();
    w.handle(orderDecider, 'ok', { type: 'CancelOrder', data: { orderId: 'ok', reason: 'r', now: w.now() } });
    w.handle(orderDecider, 'shipped', { type: 'ShipOrder', data: { orderId: 'shipped', now: w.now() } });
    await w.drain();
    const seen = new Set<string>();
    for (const env of w.log) {
      seen.add(env.type);
      const orderId = orderIdOf(env);
      if (sagaReactsTo(env.type) || orderId === null) continue;
      expect(react(env, w.context(orderId)), env.type).toEqual([]);
    }
    for (const type of ['PaymentCaptured', 'PaymentVoided', 'PaymentRefunded', 'StockReleased', 'StockCommitted', 'StockRestocked']) {
      expect(seen, type).toContain(type);
      expect(sagaReactsTo(type as 'PaymentCaptured')).toBe(false);
    }
    expect(sagaReactsTo('OrderPlaced')).toBe(true);
  });

  it('reads the order id from the event data', () => {
    expect(orderIdOf({ data: { orderId: 'o1', sku: 'A' } })).toBe('o1');
    expect(orderIdOf({ data: { sku: 'A', quantity: 1 } })).toBeNull();
  });
});
