import { decisionOf, type BudgetStore, type RateDecision, type RateLimiter } from './budget.ts';

interface Waiter {
  resolve(decision: RateDecision): void;
  reject(err: unknown): void;
}

/**
 * Runs `flush(key, waiters)` for the waiters of one key with at most one call in flight per key:
 * the first call of a key waits for the end of the event loop's turn (`setImmediate`), so every
 * request parsed in the same poll phase goes with it; callers that arrive while a call is in flight
 * queue up and go together as the next call. A call starts only after all its waiters arrived (so its
 * answer is never older than any of them).
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
    // Issued at once, a key's first round trip carried one request and the others of the same turn
    // waited a whole round trip for the next: under the reads bench that was about one Redis call per
    // request per budget (8% of serve's CPU). A turn's requests now share the first one.
    setImmediate(() => void drain(key, fresh));
  });
}

/**
 * A rate limiter over `store` that coalesces concurrent calls per key: the takes of one event-loop
 * turn, and those that arrive while a round trip of their key is in flight, are spent as one
 * `spend(key, n)` and handed out in arrival
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
