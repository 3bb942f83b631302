import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyScope } from './idempotencyScope.ts';

describe('idempotencyScope', () => {
  it('keeps subjects containing the separator apart (regression: "subject:mutation:key" collided)', () => {
    expect(idempotencyScope('a:placeOrder', 'x', 'k')).not.toBe(idempotencyScope('a', 'placeOrder', 'x:k'));
    expect(idempotencyScope('a|1:b', 'm', 'k')).not.toBe(idempotencyScope('a', 'b', 'm|1:k'));
  });

  it('is injective: different triples never give the same scope', () => {
    fc.assert(
      fc.property(fc.tuple(fc.string(), fc.string(), fc.string()), fc.tuple(fc.string(), fc.string(), fc.string()), (a, b) => {
        fc.pre(a.join('\u0000') !== b.join('\u0000'));
        expect(idempotencyScope(...a)).not.toBe(idempotencyScope(...b));
      }),
      { seed: 14, numRuns: 2000 },
    );
  });
});
