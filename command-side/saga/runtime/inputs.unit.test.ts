import { describe, expect, it } from 'vitest';
import { orderDecider } from '../../domain/aggregate.ts';
import { react } from '../fulfilment.ts';
import { createTestWorld } from '../../../tests/support/sagaTestWorld.ts';
import { orderIdOf, sagaLaneKey, sagaReactsTo } from './inputs.ts';

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

  it('puts every event of one order in one lane, whatever stream keys it, and two orders of one SKU in two', async () => {
    const w = createTestWorld({ stock: { HOT: 10 }, prices: { HOT: 100 } });
    w.place('o1', [{ sku: 'HOT', quantity: 1 }], 'tok_visa');
    w.place('o2', [{ sku: 'HOT', quantity: 1 }], 'tok_visa');
    await w.drain();
    const lanes = new Map<string, Set<string>>();
    const streams = new Map<string, Set<string>>();
    for (const [offset, env] of w.log.entries()) {
      const orderId = orderIdOf(env);
      if (orderId === null || !sagaReactsTo(env.type)) continue;
      // As the relay sends it: keyed by its stream (the order, the SKU's inventory, the payment).
      const lane = sagaLaneKey({ key: Buffer.from(env.streamId), offset: String(offset) }, orderId);
      lanes.set(orderId, (lanes.get(orderId) ?? new Set()).add(lane));
      streams.set(orderId, (streams.get(orderId) ?? new Set()).add(env.streamId));
    }
    expect(streams.get('o1')?.size).toBeGreaterThanOrEqual(3); // order, inventory and payment streams
    expect([...(lanes.get('o1') ?? [])]).toEqual(['order:o1']);
    expect([...(lanes.get('o2') ?? [])]).toEqual(['order:o2']);
    expect(sagaLaneKey({ key: Buffer.from('inventory-HOT'), offset: '7' }, null)).toBe('kafka:inventory-HOT');
    expect(sagaLaneKey({ key: null, offset: '7' }, null)).toBe('offset:7');
  });
});
