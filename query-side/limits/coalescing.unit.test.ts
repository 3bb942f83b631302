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

/** Lets the current event-loop turn end (the lanes issue their first round trip then). */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('coalescing rate limiter (one store round trip in flight per key)', () => {
  it('spends the takes of one turn as one batch, and those that queued behind its round trip as the next, exactly, first come first served', async () => {
    const h = heldStore(4);
    const rl = coalescing(h.store);
    const decisions: Promise<RateDecision>[] = [];
    for (let i = 0; i < 3; i++) decisions.push(rl.take('sub:a'));
    expect(h.calls).toEqual([]); // the first round trip waits for the end of the turn
    await turn();
    expect(h.calls).toEqual(['spend sub:a 3']);
    for (let i = 0; i < 7; i++) decisions.push(rl.take('sub:a'));
    await turn();
    expect(h.calls).toEqual(['spend sub:a 3']); // one round trip in flight per key
    await h.release();
    expect(h.calls).toEqual(['spend sub:a 3', 'spend sub:a 7']);
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
    await turn();
    expect(h.calls).toEqual(['spend sub:a 1', 'spend sub:b 1']);
    await h.release();
    expect(await a).toEqual({ ok: true, remaining: 0 });
    expect(await b).toEqual({ ok: true, remaining: 0 });
  });

  it('answers checks that arrived during a read with a read issued after them, so none sees an older state', async () => {
    const h = heldStore(1);
    const rl = coalescing(h.store);
    const early = rl.check('ip:x');
    await turn();
    expect(h.calls).toEqual(['check ip:x']);
    const take = rl.take('ip:x');
    await turn();
    await h.release(); // the first check and the take complete: the budget is now spent
    expect(await early).toEqual({ ok: true, remaining: 1 });
    expect(await take).toEqual({ ok: true, remaining: 0 });
    const late = [rl.check('ip:x'), rl.check('ip:x')];
    await turn();
    expect(h.calls.filter((c) => c.startsWith('check'))).toHaveLength(2); // the two of one turn share a read
    late.push(rl.check('ip:x'), rl.check('ip:x'));
    await turn();
    expect(h.calls.filter((c) => c.startsWith('check'))).toHaveLength(2); // these wait for it
    await h.release();
    expect(h.calls.filter((c) => c.startsWith('check'))).toHaveLength(3); // and share the next one
    await h.release();
    for (const d of await Promise.all(late)) expect(d).toEqual({ ok: false, retryAfterSeconds: 42 });
  });

  it('rejects a whole batch when the store fails, and the next take goes through', async () => {
    const h = heldStore(5);
    const rl = coalescing(h.store);
    h.failNext();
    const first = expect(rl.take('sub:a')).rejects.toThrow('store unreachable');
    await turn();
    await h.release();
    await first;
    const next = rl.take('sub:a');
    await turn();
    await h.release();
    expect(await next).toEqual({ ok: true, remaining: 4 });
  });
});
