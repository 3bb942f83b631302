import { describe, expect, it } from 'vitest';
import { pairLatencies, quantile, quantileSorted, ratePerSecond, ratio, round, roundSummary, sortedCopy, summarize } from './stats.ts';

describe('bench statistics', () => {
  it('nearest-rank quantiles return samples that exist', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileSorted(s, 0.5)).toBe(5);
    expect(quantileSorted(s, 0.9)).toBe(9);
    expect(quantileSorted(s, 0.99)).toBe(10);
    expect(quantileSorted(s, 1)).toBe(10);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted([42], 0.99)).toBe(42);
  });

  it('p99 of 1..1000 is 990 and p50 is 500', () => {
    const s = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(quantileSorted(s, 0.99)).toBe(990);
    expect(quantileSorted(s, 0.5)).toBe(500);
  });

  it('quantile sorts numerically without touching the input', () => {
    const s = [10, 9, 100, 2, 1];
    expect(quantile(s, 0.5)).toBe(9);
    expect(quantile(s, 1)).toBe(100);
    expect(s).toEqual([10, 9, 100, 2, 1]);
    expect(sortedCopy([10, 9, 100, 2, 1])).toEqual([1, 2, 9, 10, 100]);
  });

  it('rejects empty samples and out-of-range quantiles', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
    expect(() => quantileSorted([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarizes count, min, mean, percentiles and max', () => {
    const s = summarize([4, 1, 3, 2]);
    expect(s).toEqual({ count: 4, min: 1, mean: 2.5, p50: 2, p90: 4, p99: 4, max: 4 });
    expect(summarize([])).toBeUndefined();
  });

  it('rates and ratios never produce Infinity or NaN', () => {
    expect(ratePerSecond(500, 250)).toBe(2000);
    expect(ratePerSecond(5, 0)).toBe(0);
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(50, 0)).toBeUndefined();
    expect(ratio(undefined, 10)).toBeUndefined();
    expect(ratio(Number.POSITIVE_INFINITY, 10)).toBeUndefined();
  });

  it('rounds to 3 significant digits below 100 and to integers above', () => {
    expect(round(0.123456)).toBe(0.123);
    expect(round(12.3456)).toBe(12.3);
    expect(round(1234.56)).toBe(1235);
    expect(roundSummary({ count: 3, min: 1.23456, mean: 2.34567, p50: 2.5, p90: 3.33333, p99: 3.99999, max: 456.7 })).toEqual({ count: 3, min: 1.23, mean: 2.35, p50: 2.5, p90: 3.33, p99: 4, max: 457 });
  });

  it('pairs timestamps by key and counts the ones never seen', () => {
    const acked = new Map([['a', 100], ['b', 200], ['c', 300]]);
    const seen = new Map([['a', 105], ['c', 340], ['z', 1]]);
    const { latencies, missing } = pairLatencies(acked, seen);
    expect(latencies.sort((x, y) => x - y)).toEqual([5, 40]);
    expect(missing).toBe(1);
  });
});
