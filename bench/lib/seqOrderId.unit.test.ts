import { describe, expect, it } from 'vitest';
import { seqOfOrderId, seqOrderId } from './seqOrderId.ts';

describe('seqOrderId', () => {
  it('round-trips a sequence number through a UUID-shaped id', () => {
    for (const seq of [0, 1, 255, 123_456_789, 0xffff_ffff_ffff]) {
      const id = seqOrderId(seq);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(seqOfOrderId(id)).toBe(seq);
    }
  });

  it('names no sequence for other ids and refuses numbers it cannot carry', () => {
    expect(seqOfOrderId('6f1c2a34-0000-4000-8000-000000000001')).toBeUndefined();
    expect(seqOfOrderId(undefined)).toBeUndefined();
    expect(seqOfOrderId(`${seqOrderId(1)}0`)).toBeUndefined();
    expect(() => seqOrderId(-1)).toThrow(RangeError);
    expect(() => seqOrderId(1.5)).toThrow(RangeError);
  });
});
