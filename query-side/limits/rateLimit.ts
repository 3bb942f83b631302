import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Outcome of {@link RateLimiter.take} and {@link RateLimiter.check}. */
export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/**
 * The port the edge spends budgets through: a fixed window of `perMinute` units per key and minute.
 * Keys are `sub:<subject>` or `ip:<client address>`.
 */
export interface RateLimiter {
  /** Spends one unit of `key`'s budget, or says how long until the window ends. */
  take(key: string): Promise<RateDecision>;
  /** Whether `key` still has budget, without spending any (failed logins are checked before a token is verified). */
  check(key: string): Promise<RateDecision>;
}

/** Options of {@link createMemoryRateLimiter} and {@link createRedisRateLimiter}. */
export interface RateLimiterOptions {
  /** Units per key and minute. */
  perMinute: number;
  /** Prefix of every key (deployment and budget), so budgets never mix. */
  keyPrefix: string;
}

const WINDOW_SECONDS = 60;

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Wraps a rate-limiter-flexible limiter: a rejection with a result is "spent", any other rejection is a real error. */
function adapt(limiter: RateLimiterAbstract, perMinute: number): RateLimiter {
  return {
    async take(key) {
      try {
        const res = await limiter.consume(key, 1);
        return { ok: true, remaining: res.remainingPoints };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(err) };
        throw err;
      }
    },
    async check(key) {
      const res = await limiter.get(key);
      if (!res || res.consumedPoints < perMinute) return { ok: true, remaining: Math.max(0, perMinute - (res?.consumedPoints ?? 0)) };
      return { ok: false, retryAfterSeconds: retryAfter(res) };
    },
  };
}

function memoryLimiter(o: RateLimiterOptions): RateLimiterMemory {
  return new RateLimiterMemory({ points: o.perMinute, duration: WINDOW_SECONDS, keyPrefix: o.keyPrefix });
}

/** Budgets held in this process only (no REDIS_URL): N replicas give N budgets. Expired windows are dropped by timers, so memory follows the keys seen in a minute. */
export function createMemoryRateLimiter(options: RateLimiterOptions): RateLimiter {
  return adapt(memoryLimiter(options), options.perMinute);
}

/**
 * Budgets shared by every API replica through Redis (one atomic INCR+PEXPIRE per take). When Redis
 * is not ready (down, reconnecting, timed out) a decision falls back at once to a per-process
 * budget of the same size (`insuranceLimiter`), so the API keeps serving: the limit is then per
 * replica until Redis is back.
 */
export function createRedisRateLimiter(redis: Redis, options: RateLimiterOptions): RateLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    points: options.perMinute,
    duration: WINDOW_SECONDS,
    keyPrefix: options.keyPrefix,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memoryLimiter(options),
  });
  return adapt(limiter, options.perMinute);
}
