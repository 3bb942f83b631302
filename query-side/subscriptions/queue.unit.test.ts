import { describe, expect, it } from 'vitest';
import { createQueue, isPushSource, pushTo } from './queue.ts';

describe('subscription queue', () => {
  it('pulls in order and drops the oldest value when full', async () => {
    const q = createQueue<number>(2, () => undefined);
    [1, 2, 3].forEach(q.push);
    expect(await q.iterator.next()).toEqual({ done: false, value: 2 });
    expect(await q.iterator.next()).toEqual({ done: false, value: 3 });
  });

  it('in push mode hands buffered then new values to the sink synchronously, in order', () => {
    const q = createQueue<number>(10, () => undefined);
    q.push(1);
    q.push(2);
    const got: number[] = [];
    expect(isPushSource(q.iterator)).toBe(true);
    q.iterator[pushTo]((v) => got.push(v));
    expect(got).toEqual([1, 2]);
    q.push(3);
    expect(got).toEqual([1, 2, 3]);
  });

  it('in push mode next() reports only the end, and return() stops the pushes and runs onClose once', async () => {
    let closed = 0;
    const q = createQueue<number>(10, () => closed++);
    const got: number[] = [];
    q.iterator[pushTo]((v) => got.push(v));
    const end = q.iterator.next();
    q.push(1);
    await q.iterator.return?.();
    await q.iterator.return?.();
    q.push(2);
    expect(await end).toEqual({ done: true, value: undefined });
    expect(got).toEqual([1]);
    expect(closed).toBe(1);
  });

  it('is not a push source when it is some other iterator', () => {
    expect(isPushSource((async function* () {})())).toBe(false);
    expect(isPushSource(null)).toBe(false);
  });
});
