import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTrailingPacer } from './trailingPacer.ts';

describe('trailing pacer (checkpoint writes)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const setup = (interval = 250) => {
    const written: [string, number][] = [];
    const errors: unknown[] = [];
    const pacer = createTrailingPacer<number>(async (key, v) => { written.push([key, v]); }, () => interval, (e) => errors.push(e), () => Date.now());
    return { pacer, written, errors };
  };

  it('writes the first value at once, then at most one per interval per key, the newest, at the end of the interval', async () => {
    const { pacer, written } = setup();
    await pacer.offer('p0', 1);
    expect(written).toEqual([['p0', 1]]);
    await pacer.offer('p0', 2);
    await pacer.offer('p0', 3);
    await pacer.offer('p1', 10); // another key has its own interval
    expect(written).toEqual([['p0', 1], ['p1', 10]]);
    await vi.advanceTimersByTimeAsync(249);
    expect(written).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([['p0', 1], ['p1', 10], ['p0', 3]]); // 2 was superseded, never written
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toHaveLength(3); // nothing left over: no write without a new value
  });

  it('writes every value at once when the interval is 0', async () => {
    const { pacer, written } = setup(0);
    for (const v of [1, 2, 3]) await pacer.offer('p0', v);
    expect(written).toEqual([['p0', 1], ['p0', 2], ['p0', 3]]);
  });

  it('flush writes what waits now, once', async () => {
    const { pacer, written } = setup();
    await pacer.offer('p0', 1);
    await pacer.offer('p0', 2);
    await pacer.flush();
    expect(written).toEqual([['p0', 1], ['p0', 2]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toHaveLength(2);
  });

  it('runs one key\'s writes one after the other, so an older value never lands after a newer one', async () => {
    const order: string[] = [];
    let release: (() => void) | undefined;
    const pacer = createTrailingPacer<number>(async (_k, v) => {
      order.push(`start ${v}`);
      if (v === 1) await new Promise<void>((r) => (release = r));
      order.push(`end ${v}`);
    }, () => 0, () => undefined, () => Date.now());
    const first = pacer.offer('p0', 1);
    await vi.advanceTimersByTimeAsync(0); // the write of 1 has started (a value offered before that would replace it)
    const second = pacer.offer('p0', 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['start 1']);
    release?.();
    await Promise.all([first, second]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('reports a failed write and goes on with the next', async () => {
    let fail = true;
    const written: number[] = [];
    const errors: unknown[] = [];
    const pacer = createTrailingPacer<number>(async (_k, v) => {
      if (fail) { fail = false; throw new Error('store down'); }
      written.push(v);
    }, () => 0, (e) => errors.push(e), () => Date.now());
    await pacer.offer('p0', 1);
    await pacer.offer('p0', 2);
    expect(errors).toHaveLength(1);
    expect(written).toEqual([2]);
  });
});
