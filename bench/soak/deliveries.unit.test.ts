import { describe, expect, it } from 'vitest';
import { createDeliveryTracker } from './deliveries.ts';

describe('createDeliveryTracker', () => {
  it('measures ack → first message per subscriber and order, and counts every message', () => {
    const acks = new Map([[1, 1000], [2, 2000]]);
    const t = createDeliveryTracker((s) => acks.get(s));
    const lags = t.ingest({ keys: [1, 1, 1, 2], clients: [7, 8, 7, 7], times: [1040, 1090, 1500, 2010] }, 3000);
    expect(lags).toEqual([40, 90, 10]);
    expect(t.total()).toBe(4);
    expect([t.reached(1), t.reached(2), t.reached(3)]).toEqual([2, 1, 0]);
  });

  it('keeps a first message whose ack is not known yet for the next batch, and drops it once too old', () => {
    const acks = new Map<number, number>();
    const t = createDeliveryTracker((s) => acks.get(s), 1000);
    expect(t.ingest({ keys: [5, 6], clients: [1, 1], times: [100, 100] }, 200)).toEqual([]);
    acks.set(5, 95);
    expect(t.ingest({ keys: [], clients: [], times: [] }, 300)).toEqual([5]);
    expect(t.unmatched()).toBe(0);
    expect(t.ingest({ keys: [], clients: [], times: [] }, 2000)).toEqual([]);
    expect(t.unmatched()).toBe(1);
    expect(t.reached(6)).toBe(1);
  });
});
