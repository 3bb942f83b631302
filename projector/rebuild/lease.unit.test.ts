import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isStale, ownerMayBeAlive, type RebuildDoc } from './lease.ts';

const doc = (over: Partial<RebuildDoc> = {}): RebuildDoc => ({
  _id: 'order_detail', owner: 'h:1:u', host: 'elsewhere', pid: 1, status: 'running', phase: 'replaying', startedAt: '2026-03-01T10:00:00.000Z',
  heartbeatAt: '2026-03-01T10:00:00.000Z', finishedAt: null, fromGeneration: 1, targetGeneration: 2, position: '0.0', error: null, differences: null,
  eventsDone: 0, totalEstimate: 0, rate: 0, etaSeconds: null, flushedPosition: '0.0', flushedEvents: 0, codeVersion: 1, ...over,
});
const now = new Date('2026-03-01T10:00:20.000Z');

describe('rebuild lease staleness', () => {
  it('a running lease with a fresh heartbeat and a live owner is held', () => {
    expect(isStale(doc(), now, 30_000, () => true)).toBe(false);
  });

  it('is stale when finished, when the heartbeat is older than the lease, or when the owner is gone', () => {
    expect(isStale(doc({ status: 'done' }), now, 30_000, () => true)).toBe(true);
    expect(isStale(doc({ status: 'failed' }), now, 30_000, () => true)).toBe(true);
    expect(isStale(doc(), now, 10_000, () => true)).toBe(true);
    expect(isStale(doc(), now, 30_000, () => false)).toBe(true);
  });

  it('owner liveness: another host is presumed alive; on this host, a pid that does not exist is dead', () => {
    expect(ownerMayBeAlive({ host: 'another-host', pid: 1 })).toBe(true);
    expect(ownerMayBeAlive({ host: hostname(), pid: process.pid })).toBe(true);
    expect(ownerMayBeAlive({ host: hostname(), pid: 2 ** 22 + 12345 })).toBe(false);
  });
});
