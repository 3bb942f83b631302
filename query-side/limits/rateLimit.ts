import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { decisionOf, type BudgetStore, type RateLimiter } from './budget.ts';
import { coalescing } from './coalescing.ts';

export type { RateDecision, RateLimiter } from './budget.ts';

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
function budgetStore(limiter: RateLimiterAbstract, perMinute: number): BudgetStore {
  return {
    async spend(key, units) {
      let res: RateLimiterRes;
      try {
        res = await limiter.consume(key, units);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res = err; // over the budget: the store counted the units all the same
      }
      return { consumedBefore: res.consumedPoints - units, limit: perMinute, retryAfterSeconds: retryAfter(res) };
    },
    async check(key) {
      const res = await limiter.get(key);
      if (!res || res.consumedPoints < perMinute) return { ok: true, remaining: Math.max(0, perMinute - (res?.consumedPoints ?? 0)) };
      return { ok: false, retryAfterSeconds: retryAfter(res) };
    },
  };
}

/** One store call per take and per check. */
function oneByOne(store: BudgetStore): RateLimiter {
  return {
    take: async (key) => decisionOf(await store.spend(key, 1), 0),
    check: (key) => store.check(key),
  };
}

function memoryLimiter(o: RateLimiterOptions): RateLimiterMemory {
  return new RateLimiterMemory({ points: o.perMinute, duration: WINDOW_SECONDS, keyPrefix: o.keyPrefix });
}

/** Budgets held in this process only (no REDIS_URL): N replicas give N budgets. Expired windows are dropped by timers, so memory follows the keys seen in a minute. */
export function createMemoryRateLimiter(options: RateLimiterOptions): RateLimiter {
  return oneByOne(budgetStore(memoryLimiter(options), options.perMinute));
}

/**
 * Budgets shared by every API replica through Redis (one atomic INCRBY+PEXPIRE per batch of takes).
 * Takes and checks of one key are {@link coalescing coalesced}: while one round trip is in flight,
 * the next ones wait and then go as one, so concurrent requests of one principal cost one Redis
 * command per round trip, not one each, and every unit is still counted. When Redis is not ready
 * (down, reconnecting, timed out) a decision falls back at once to a per-process budget of the same
 * size (`insuranceLimiter`), so the API keeps serving: the limit is then per replica until Redis is back.
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
  return coalescing(budgetStore(limiter, options.perMinute));
}
