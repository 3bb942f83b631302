import { describe, expect, it } from 'vitest';
import { checkpointOutcome } from './checkpoints.ts';

describe('checkpointOutcome', () => {
  it('advances past a lower or missing checkpoint', () => {
    expect(checkpointOutcome(undefined, 10)).toBe('advanced');
    expect(checkpointOutcome(9, 10)).toBe('advanced');
  });
  it('says "already there" for a redelivered batch and "ahead" when another consumer got further', () => {
    expect(checkpointOutcome(10, 10)).toBe('already-there');
    expect(checkpointOutcome(11, 10)).toBe('ahead');
  });
});
