import { decisionOf, type BudgetStore, type RateDecision, type RateLimiter } from './budget.ts';

interface Waiter {
  resolve(decision: RateDecision): void;
  reject(err: unknown): void;
}

/**
 * Runs `flush(key, waiters)` for the waiters of one key with at most one call in flight per key:
 * callers that arrive meanwhile queue up and go together as the next call, which starts only after
 * they all arrived (so its answer is never older than any of them).
 */
function perKeyLanes(flush: (key: string, waiters: Waiter[]) => Promise<void>): (key: string) => Promise<RateDecision> {
  const queued = new Map<string, Waiter[]>();
  const drain = async (key: string, lane: Waiter[]) => {
    while (lane.length > 0) {
      const batch = lane.splice(0);
      await flush(key, batch).catch((err: unknown) => batch.forEach((w) => w.reject(err)));
    }
    queued.delete(key); // synchronously after the last check: nobody can have joined in between
  };
  return (key) => new Promise<RateDecision>((resolve, reject) => {
    const lane = queued.get(key);
    if (lane) {
      lane.push({ resolve, reject });
      return;
    }
    const fresh: Waiter[] = [{ resolve, reject }];
    queued.set(key, fresh);
    void drain(key, fresh);
  });
}

/**
 * A rate limiter over `store` that coalesces concurrent calls per key: the takes that arrive while a
 * round trip of their key is in flight are spent as one `spend(key, n)` and handed out in arrival
 * order (the first ones that fit the budget pass, the rest are refused), and concurrent checks share
 * one read issued after they all arrived. The count stays exact (n units spent for n takes); what
 * changes is the number of store round trips under load (one per key per round trip instead of one
 * per request), which is what the shared Redis and the event loop pay for.
 */
export function coalescing(store: BudgetStore): RateLimiter {
  const take = perKeyLanes(async (key, waiters) => {
    const spent = await store.spend(key, waiters.length);
    waiters.forEach((w, i) => w.resolve(decisionOf(spent, i)));
  });
  const check = perKeyLanes(async (key, waiters) => {
    const decision = await store.check(key);
    for (const w of waiters) w.resolve(decision);
  });
  return { take, check };
}
