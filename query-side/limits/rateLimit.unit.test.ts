import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rateLimit.ts';

describe('createRateLimiter', () => {
  it('allows a burst of perMinute, then refuses with a retry hint', () => {
    let t = 0;
    const rl = createRateLimiter({ perMinute: 3, now: () => t });
    expect([rl.take('a').ok, rl.take('a').ok, rl.take('a').ok]).toEqual([true, true, true]);
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSeconds: 20 });
    t = 20_000;
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
  });

  it('keeps keys apart', () => {
    const rl = createRateLimiter({ perMinute: 1, now: () => 0 });
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('b').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
  });

  it('never refills above capacity', () => {
    let t = 0;
    const rl = createRateLimiter({ perMinute: 2, now: () => t });
    t = 10 * 60_000;
    expect([rl.take('a').ok, rl.take('a').ok, rl.take('a').ok]).toEqual([true, true, false]);
  });

  it('bounds memory by forgetting the least recently used key', () => {
    const rl = createRateLimiter({ perMinute: 1, maxKeys: 2, now: () => 0 });
    rl.take('a');
    rl.take('b');
    rl.take('a'); // a is now most recent
    rl.take('c'); // evicts b
    expect(rl.size).toBe(2);
    expect(rl.take('a').ok).toBe(false); // a still remembered
    expect(rl.take('b').ok).toBe(true); // b forgotten: fresh bucket
  });
});
