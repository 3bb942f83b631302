import { describe, expect, it } from 'vitest';
import { createCommitFrontier } from './commitFrontier.ts';

describe('createCommitFrontier', () => {
  it('moves only over positions whose predecessors are all done', () => {
    const f = createCommitFrontier(5);
    expect(f.doneThrough()).toBe(-1);
    expect(f.complete(2)).toBe(false);
    expect(f.complete(1)).toBe(false);
    expect(f.doneThrough()).toBe(-1); // 0 still open: nothing may be committed
    expect(f.complete(0)).toBe(true);
    expect(f.doneThrough()).toBe(2);
    expect(f.complete(4)).toBe(false);
    expect(f.doneThrough()).toBe(2);
    expect(f.complete(3)).toBe(true);
    expect(f.doneThrough()).toBe(4);
  });

  it('refuses positions outside the batch and a second completion', () => {
    const f = createCommitFrontier(2);
    expect(() => f.complete(2)).toThrow(RangeError);
    expect(() => f.complete(-1)).toThrow(RangeError);
    f.complete(0);
    expect(() => f.complete(0)).toThrow(RangeError);
    expect(f.doneThrough()).toBe(0);
  });

  it('of every completion order, the frontier is the longest done prefix', () => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];
    for (const order of orders) {
      const f = createCommitFrontier(order.length);
      const done = new Set<number>();
      for (const i of order) {
        f.complete(i);
        done.add(i);
        let prefix = -1;
        while (done.has(prefix + 1)) prefix++;
        expect(f.doneThrough(), `order ${order.join(',')} after ${i}`).toBe(prefix);
      }
    }
  });
});
