import { describe, expect, it } from 'vitest';
import { createLogTally } from './logTally.ts';

describe('createLogTally', () => {
  it('counts warn, error and fatal lines by component and message, with the first error text', () => {
    const t = createLogTally();
    t.line('{"level":"warn","component":"api","msg":"a backing store is unavailable","err":{"type":"Error","message":"timeout exceeded when trying to connect"}}');
    t.line('{"level":"warn","component":"api","msg":"a backing store is unavailable","err":{"type":"Error","message":"another"}}');
    t.line('{"level":"error","msg":"boom"}');
    t.line('{"level":"info","msg":"process started"}');
    t.line('not json "level":"warn"');
    expect(t.tally()).toEqual({
      'api a backing store is unavailable': { count: 2, first: 'Error timeout exceeded when trying to connect' },
      '- boom': { count: 1, first: '' },
    });
  });

  it('keeps at most maxKinds kinds', () => {
    const t = createLogTally(2);
    for (const m of ['a', 'b', 'c', 'a']) t.line(`{"level":"warn","msg":"${m}"}`);
    expect(Object.keys(t.tally())).toEqual(['a', 'b'].map((m) => `- ${m}`));
    expect(t.tally()['- a']?.count).toBe(2);
  });
});
