import { describe, expect, it } from 'vitest';
import { takeGroup } from './groupCommit.ts';

const cmd = (id: string, streamId: string, key?: string) => ({
  id, command: { streamId, expectedVersion: 0, events: [], ...(key !== undefined && { options: { idempotency: { key, requestHash: 'h' } } }) },
});

describe('takeGroup', () => {
  it('takes at most max commands in queue order and leaves the rest queued', () => {
    const queue = ['a', 'b', 'c', 'd'].map((s) => cmd(s, s));
    expect(takeGroup(queue, 3).map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(queue.map((p) => p.id)).toEqual(['d']);
  });

  it('defers a second command on a stream or key already in the group, keeping its order', () => {
    const queue = [cmd('1', 's1'), cmd('2', 's1'), cmd('3', 's2', 'k'), cmd('4', 's3', 'k'), cmd('5', 's1'), cmd('6', 's4')];
    expect(takeGroup(queue, 10).map((p) => p.id)).toEqual(['1', '3', '6']);
    expect(queue.map((p) => p.id)).toEqual(['2', '4', '5']);
    expect(takeGroup(queue, 10).map((p) => p.id)).toEqual(['2', '4']);
    expect(queue.map((p) => p.id)).toEqual(['5']);
  });
});
