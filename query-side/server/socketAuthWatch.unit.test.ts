import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { SocketAuthClose, watchSocketAuth } from './socketAuthWatch.ts';

const config = loadConfig({ ORDERFLOW_AUTH_MODE: 'dev', LOG_LEVEL: 'silent' });
const RECHECK_MS = 60_000;

/** Lets the re-check's `authenticate` promise settle. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('watchSocketAuth', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps one re-check pending however many periods a socket lives', async () => {
    const closes: number[] = [];
    watchSocketAuth({ socket: { close: (code) => closes.push(code) }, header: 'Bearer dev:c1:customer', expiresAt: undefined, config, recheckMs: RECHECK_MS });
    for (let period = 0; period < 5; period++) {
      await vi.advanceTimersByTimeAsync(RECHECK_MS);
      await settle();
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(closes).toEqual([]);
  });

  // Regression: stop() while a re-check was verifying let that re-check schedule the next one, so a
  // closed socket kept being re-verified (and kept in memory) forever.
  it('schedules nothing more once stopped, even with a re-check in flight', async () => {
    const stop = watchSocketAuth({ socket: { close: () => undefined }, header: 'Bearer dev:c1:customer', expiresAt: undefined, config, recheckMs: RECHECK_MS });
    vi.advanceTimersByTime(RECHECK_MS); // the re-check starts verifying
    stop();
    await settle();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes with 4401 when the token expires, and clears its re-check', () => {
    const closes: number[] = [];
    watchSocketAuth({ socket: { close: (code) => closes.push(code) }, header: 'Bearer dev:c1:customer', expiresAt: Date.now() + 1_000, config, recheckMs: RECHECK_MS });
    vi.advanceTimersByTime(1_000);
    expect(closes).toEqual([SocketAuthClose.EXPIRED]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
