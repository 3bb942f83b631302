/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  attempts: number;
  /** Delay before the first retry, before jitter. @default 200 */
  baseMs: number;
  /** Cap of one delay. @default 5000 */
  maxMs: number;
}

/** The policy used when none is given. */
export const defaultRetryPolicy: RetryPolicy = { attempts: 4, baseMs: 200, maxMs: 5_000 };

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, the other half is
 * random, so clients that failed together do not come back together, yet none retries at once.
 * `attempt` counts retries from 0.
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Clock and randomness, injectable so tests run without real time. */
export interface Scheduler {
  sleep(ms: number): Promise<void>;
  random(): number;
}

/** Real timers and Math.random. */
export const realScheduler: Scheduler = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Runs `attempt` until it succeeds, the error is not retriable (`isRetriable`), or the policy's
 * attempts are spent; then rethrows the last error.
 */
export async function withRetry<T>(attempt: () => Promise<T>, isRetriable: (err: unknown) => boolean, policy: RetryPolicy, scheduler: Scheduler): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n + 1 >= policy.attempts || !isRetriable(err)) throw err;
      await scheduler.sleep(backoffDelay(n, policy, scheduler.random));
    }
  }
}
