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

/** What spending several units of one key at once found: unit `i` (0-based) fits iff `consumedBefore + i + 1 <= limit`. */
export interface Spent {
  /** Units of the key's window spent before these. */
  consumedBefore: number;
  limit: number;
  /** Until the window ends (what a refused unit tells its caller). */
  retryAfterSeconds: number;
}

/** A budget that can spend several units of a key in one call: one store round trip for a whole batch. */
export interface BudgetStore {
  spend(key: string, units: number): Promise<Spent>;
  check(key: string): Promise<RateDecision>;
}

/** Unit `i` of a {@link Spent} batch, as its caller sees it. */
export function decisionOf(spent: Spent, i: number): RateDecision {
  const after = spent.consumedBefore + i + 1;
  return after <= spent.limit ? { ok: true, remaining: spent.limit - after } : { ok: false, retryAfterSeconds: spent.retryAfterSeconds };
}

