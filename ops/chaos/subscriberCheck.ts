import type { CheckResult } from './check.ts';
import type { Subscriber } from './subscribers.ts';

/**
 * No subscriber that resumed with `since` missed an update: the last state each one saw of each of
 * its customer's orders is the order's final status in the store.
 */
export function subscribersSawEverything(subs: readonly Subscriber[], statuses: Map<string, { status: string; customerId: string }>): CheckResult {
  const missed: string[] = [];
  let orders = 0;
  for (const s of subs) {
    for (const [id, o] of statuses) {
      if (o.customerId !== s.customerId) continue;
      orders++;
      const seen = s.seen.get(id)?.status;
      if (seen !== o.status) missed.push(`${s.customerId} ${id}: saw ${seen ?? 'nothing'}, final ${o.status}`);
    }
  }
  const resumes = subs.reduce((n, s) => n + s.resumes, 0);
  return {
    name: 'no subscriber that resumed with since missed an update',
    passed: missed.length === 0 && orders > 0 && resumes > 0,
    summary: `${subs.length} subscribers, ${resumes} resumes, ${orders} orders followed, ${missed.length} missed`,
    details: { missed: missed.slice(0, 20), errors: subs.flatMap((s) => s.errors.slice(0, 3)) },
  };
}
