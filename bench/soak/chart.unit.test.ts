import { describe, expect, it } from 'vitest';
import { soakChart } from './chart.ts';
import type { SoakSample } from './types.ts';

const sample = (atS: number, heap: number | null): SoakSample => ({
  atS, accepted: 0, failed: 0, deliveries: 0, appendToViewMeanMs: null, hubLoadMeanMs: null, fleetLoopDelayMs: { p99: 0, max: 0 }, consumerLag: 0, outboxBacklog: 0,
  lagMs: { count: 1, min: 5, mean: 5, p50: 5, p90: 6, p99: 7, max: 7 },
  processes: { 'serve-1': { heapAfterGcMiB: heap, rssMiB: 1, gc: true, consumerLag: 0, outboxBacklog: 0, appendToViewSum: 0, appendToViewCount: 0, hubLoadSum: 0, hubLoadCount: 0, eventLoopP99Ms: 0, viewCacheEntries: 0, viewCacheMiB: 0, pid: 1 } },
});

describe('soakChart', () => {
  it('draws a heap line per process and the lag quantiles, skipping samples without a figure', () => {
    const svg = soakChart([sample(0, 40), sample(30, null), sample(60, 42)]);
    expect(svg.startsWith('<svg')).toBe(true);
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => (m[1] ?? '').split(' ').length);
    expect(polylines).toEqual([2, 3, 3]); // serve-1 (2 figures), p50, p99
    expect(svg).toContain('>serve-1<');
    expect(svg).toContain('ack→push p99');
  });
});
