import { describe, expect, it } from 'vitest';
import type { RebuildDoc } from './lease.ts';
import { resumePointOf } from './resume.ts';

const killed: RebuildDoc = {
  _id: 'order_detail', owner: 'h:1:u', host: 'h', pid: 1, status: 'running', phase: 'replaying', startedAt: '2026-03-01T10:00:00.000Z',
  heartbeatAt: '2026-03-01T10:00:00.000Z', finishedAt: null, fromGeneration: 2, targetGeneration: 3, position: '9.900', error: null, differences: null,
  eventsDone: 30_000, totalEstimate: 50_000, rate: 1, etaSeconds: 1, flushedPosition: '9.800', flushedEvents: 25_000, codeVersion: 1,
};
const now = { liveGeneration: 2, codeVersion: 1, generations: [2, 3], ownerGone: () => true };

describe('resuming a killed rebuild', () => {
  it('continues the killed run\'s generation after its last flush, not its last read', () => {
    expect(resumePointOf(killed, now)).toEqual({ generation: 3, position: '9.800', events: 25_000 });
    expect(resumePointOf({ ...killed, phase: 'catching-up' }, now)).not.toBeNull();
  });

  it.each([
    ['--fresh', killed, { fresh: true }],
    ['nothing flushed yet', { ...killed, flushedEvents: 0 }, {}],
    ['its process may still be writing', killed, { ownerGone: () => false }],
    ['it ended by itself (failed or aborted: its generation is dropped)', { ...killed, status: 'failed' as const }, {}],
    ['it had switched already', { ...killed, phase: 'draining' as const }, {}],
    ['the live generation moved since', killed, { liveGeneration: 3 }],
    ['the projection code changed', killed, { codeVersion: 2 }],
    ['its generation is gone', killed, { generations: [2] }],
  ])('starts over when %s', (_, previous, over) => {
    expect(resumePointOf(previous, { ...now, ...over })).toBeNull();
  });
});
