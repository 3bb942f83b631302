import { describe, expect, it } from 'vitest';
import type { BudgetStore, RateDecision } from './budget.ts';
import { coalescing } from './coalescing.ts';

/** A budget of `limit` per key whose calls stay pending until `release()`: shows what goes in one round trip. */
function heldStore(limit: number) {
  const spent = new Map<string, number>();
  const calls: string[] = [];
  let pending: (() => void)[] = [];
  let failNext = false;
  const hold = () => new Promise<void>((go) => pending.push(go));
  const store: BudgetStore = {
    async spend(key, units) {
      calls.push(`spend ${key} ${units}`);
      await hold();
      if (failNext) {
        failNext = false;
        throw new Error('store unreachable');
      }
      const before = spent.get(key) ?? 0;
      spent.set(key, before + units);
      return { consumedBefore: before, limit, retryAfterSeconds: 42 };
    },
    async check(key) {
      calls.push(`check ${key}`);
      await hold();
      const used = spent.get(key) ?? 0;
      return used < limit ? { ok: true, remaining: limit - used } : { ok: false, retryAfterSeconds: 42 };
    },
  };
  const release = async () => {
    const go = pending;
    pending = [];
    for (const g of go) g();
    await new Promise((r) => setImmediate(r)); // let the lanes issue their next call
  };
  return { store, calls, release, spent, failNext: () => (failNext = true) };
}

describe('coalescing rate limiter (one store round trip in flight per key)', () => {
  it('spends the takes that queued behind a round trip as one batch, exactly, first come first served', async () => {
    const h = heldStore(4);
    const rl = coalescing(h.store);
    const decisions: Promise<RateDecision>[] = [];
    for (let i = 0; i < 10; i++) decisions.push(rl.take('sub:a'));
    expect(h.calls).toEqual(['spend sub:a 1']);
    await h.release();
    expect(h.calls).toEqual(['spend sub:a 1', 'spend sub:a 9']);
    await h.release();
    const out = await Promise.all(decisions);
    expect(out.map((d) => d.ok)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(out.slice(0, 4)).toEqual([{ ok: true, remaining: 3 }, { ok: true, remaining: 2 }, { ok: true, remaining: 1 }, { ok: true, remaining: 0 }]);
    expect(out[9]).toEqual({ ok: false, retryAfterSeconds: 42 });
    expect(h.spent.get('sub:a')).toBe(10); // every take counted, as one call each would have
  });

  it('keeps keys apart: a key never waits behind another', async () => {
    const h = heldStore(1);
    const rl = coalescing(h.store);
    const a = rl.take('sub:a');
    const b = rl.take('sub:b');
    expect(h.calls).toEqual(['spend sub:a 1', 'spend sub:b 1']);
    await h.release();
    expect(await a).toEqual({ ok: true, remaining: 0 });
    expect(await b).toEqual({ ok: true, remaining: 0 });
  });

  it('answers checks that arrived during a read with a read issued after them, so none sees an older state', async () => {
    const h = heldStore(1);
    const rl = coalescing(h.store);
    const early = rl.check('ip:x');
    expect(h.calls).toEqual(['check ip:x']);
    const take = rl.take('ip:x');
    await h.release(); // the first check and the take complete: the budget is now spent
    expect(await early).toEqual({ ok: true, remaining: 1 });
    expect(await take).toEqual({ ok: true, remaining: 0 });
    const late = [rl.check('ip:x'), rl.check('ip:x'), rl.check('ip:x')];
    expect(h.calls.filter((c) => c.startsWith('check'))).toHaveLength(2); // the first goes at once, two wait
    await h.release();
    expect(h.calls.filter((c) => c.startsWith('check'))).toHaveLength(3); // the two share one read
    await h.release();
    for (const d of await Promise.all(late)) expect(d).toEqual({ ok: false, retryAfterSeconds: 42 });
  });

  it('rejects a whole batch when the store fails, and the next take goes through', async () => {
    const h = heldStore(5);
    const rl = coalescing(h.store);
    h.failNext();
    const first = expect(rl.take('sub:a')).rejects.toThrow('store unreachable');
    await h.release();
    await first;
    const next = rl.take('sub:a');
    await h.release();
    expect(await next).toEqual({ ok: true, remaining: 4 });
  });
});
