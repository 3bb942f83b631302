import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './rateLimit.ts';

describe('per-process rate limiter (the fallback when Redis is down)', () => {
  it('allows perMinute takes per key, then refuses with a retry hint within the minute', async () => {
    const rl = createMemoryRateLimiter({ perMinute: 3, keyPrefix: 'u1' });
    const taken = [await rl.take('a'), await rl.take('a'), await rl.take('a')];
    expect(taken).toEqual([{ ok: true, remaining: 2 }, { ok: true, remaining: 1 }, { ok: true, remaining: 0 }]);
    const refused = await rl.take('a');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('keeps keys and prefixes apart', async () => {
    const a = createMemoryRateLimiter({ perMinute: 1, keyPrefix: 'u2' });
    expect((await a.take('a')).ok).toBe(true);
    expect((await a.take('b')).ok).toBe(true);
    expect((await a.take('a')).ok).toBe(false);
    const other = createMemoryRateLimiter({ perMinute: 1, keyPrefix: 'u3' });
    expect((await other.take('a')).ok).toBe(true);
  });

  it('check reports the budget without spending it', async () => {
    const rl = createMemoryRateLimiter({ perMinute: 2, keyPrefix: 'u4' });
    expect(await rl.check('x')).toEqual({ ok: true, remaining: 2 });
    expect(await rl.check('x')).toEqual({ ok: true, remaining: 2 });
    await rl.take('x');
    expect(await rl.check('x')).toEqual({ ok: true, remaining: 1 });
    await rl.take('x');
    expect((await rl.check('x')).ok).toBe(false);
  });
});
