import { describe, expect, it } from 'vitest';
import { backoffDelay, isTransientInfraError, retryUntilDone, startHeartbeatTicker, StopRequested, type FailureKind } from './retry.ts';

class Kind extends Error {
  constructor(readonly kind: FailureKind) {
    super(kind);
  }
}
const classify = (e: unknown): FailureKind => (e instanceof Kind ? e.kind : 'limited');
const fast = { classify, initialDelayMs: 1, maxDelayMs: 2, isStopping: () => false };

function failing(kinds: FailureKind[]) {
  let calls = 0;
  return {
    calls: () => calls,
    work: async () => {
      const kind = kinds[calls++];
      if (kind) throw new Kind(kind);
      return 'done';
    },
  };
}

describe('retryUntilDone', () => {
  it('retries transient failures for as long as they last', async () => {
    const w = failing(Array.from({ length: 20 }, () => 'transient'));
    await expect(retryUntilDone(w.work, fast)).resolves.toEqual({ ok: true, value: 'done' });
    expect(w.calls()).toBe(21);
  });

  it('gives limited failures maxAttempts tries and permanent ones a single try', async () => {
    const limited = failing(['limited', 'transient', 'limited', 'limited', 'limited']);
    const outcome = await retryUntilDone(limited.work, { ...fast, maxAttempts: 4 });
    expect(outcome).toMatchObject({ ok: false, attempts: 5 });
    const permanent = failing(['transient', 'permanent']);
    expect(await retryUntilDone(permanent.work, fast)).toMatchObject({ ok: false, attempts: 2 });
  });

  it('stops waiting when the consumer stops, and heartbeats while it waits', async () => {
    let stopping = false;
    let beats = 0;
    const w = failing(Array.from({ length: 1000 }, () => 'transient'));
    const run = retryUntilDone(w.work, { classify, initialDelayMs: 5, maxDelayMs: 5, isStopping: () => stopping, heartbeat: async () => { beats++; } });
    await new Promise((r) => setTimeout(r, 50));
    stopping = true;
    await expect(run).rejects.toBeInstanceOf(StopRequested);
    expect(beats).toBeGreaterThan(0);
  });

  it('lets a heartbeat failure (rebalance) abort the retry', async () => {
    const w = failing(['transient', 'transient']);
    const run = retryUntilDone(w.work, { ...fast, heartbeat: async () => { throw new Error('rebalancing'); } });
    await expect(run).rejects.toThrow('rebalancing');
  });

  it('backs off exponentially up to the cap, with jitter', () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(1, 100, 5000)).toBeGreaterThanOrEqual(80);
      expect(backoffDelay(1, 100, 5000)).toBeLessThanOrEqual(120);
      expect(backoffDelay(30, 100, 5000)).toBeLessThanOrEqual(6000);
    }
  });
});

describe('isTransientInfraError', () => {
  it('knows pg, network and flagged errors', () => {
    expect(isTransientInfraError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientInfraError(Object.assign(new Error('too many connections'), { code: '53300' }))).toBe(true);
    expect(isTransientInfraError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientInfraError(Object.assign(new Error('flagged'), { retriable: true }))).toBe(true);
    expect(isTransientInfraError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientInfraError(Object.assign(new Error('unique violation'), { code: '23505' }))).toBe(false);
    expect(isTransientInfraError('a string')).toBe(false);
  });
});

describe('heartbeat ticker', () => {
  it('beats in the background and reports the first failure on check', async () => {
    let beats = 0;
    const ticker = startHeartbeatTicker(async () => {
      beats++;
      if (beats === 2) throw new Error('rebalancing');
    }, 5);
    // Wait for the beats rather than a fixed time: a loaded box may fire a 5 ms timer late.
    for (let i = 0; i < 400 && beats < 2; i++) await new Promise((r) => setTimeout(r, 5));
    ticker.stop();
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(() => ticker.check()).toThrow('rebalancing');
  });
});
