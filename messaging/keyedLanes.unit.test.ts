import { describe, expect, it } from 'vitest';
import { runInKeyedLanes, type KeyedLanesOptions, type KeyedWork } from './keyedLanes.ts';

/** A batch whose items finish only when the test says so, recording what ran when. */
function gatedBatch(keys: readonly string[]) {
  const events: string[] = [];
  const gates = keys.map(() => {
    let open!: () => void;
    let fail!: (e: unknown) => void;
    const gate = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
    return { gate, open, fail };
  });
  const running = new Set<number>();
  let maxRunning = 0;
  const items: KeyedWork[] = keys.map((key, i) => ({
    key,
    async run() {
      events.push(`start ${i}`);
      running.add(i);
      maxRunning = Math.max(maxRunning, running.size);
      try {
        await (gates[i] as (typeof gates)[number]).gate;
      } finally {
        running.delete(i);
        events.push(`end ${i}`);
      }
    },
  }));
  const gate = (i: number) => gates[i] as (typeof gates)[number];
  return { items, events, running, maxRunning: () => maxRunning, open: (i: number) => gate(i).open(), fail: (i: number, e: unknown) => gate(i).fail(e) };
}

/** Lets every pending promise callback run (no timers, no I/O). */
const settle = async () => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

function options(over: Partial<KeyedLanesOptions> = {}) {
  const advances: number[] = [];
  return { advances, opts: { maxInFlight: 16, shouldStop: () => false, onAdvance: (n: number) => advances.push(n), ...over } satisfies KeyedLanesOptions };
}

describe('runInKeyedLanes', () => {
  it('runs different keys at once and one key strictly in batch order', async () => {
    const b = gatedBatch(['a', 'b', 'a', 'c', 'a']);
    const { opts } = options();
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    expect([...b.running].sort()).toEqual([0, 1, 3]); // 2 and 4 wait behind 0 (key a)
    b.open(2); // finishing early does nothing: 2 has not started
    b.open(0);
    await settle();
    expect(b.events.indexOf('start 2')).toBeGreaterThan(b.events.indexOf('end 0'));
    expect(b.events.indexOf('start 4')).toBeGreaterThan(b.events.indexOf('end 2'));
    for (const i of [1, 3, 4]) b.open(i);
    await expect(run).resolves.toEqual({ kind: 'done' });
  });

  it('never has more than maxInFlight items started, waiting ones included', async () => {
    const b = gatedBatch(['a', 'b', 'c', 'd', 'e', 'f']);
    const { opts } = options({ maxInFlight: 2 });
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    expect([...b.running]).toEqual([0, 1]);
    b.open(1);
    await settle();
    expect([...b.running]).toEqual([0, 2]);
    for (const i of [0, 2, 3, 4, 5]) { b.open(i); await settle(); }
    await expect(run).resolves.toEqual({ kind: 'done' });
    expect(b.maxRunning()).toBe(2);
  });

  it('advances the frontier only past positions whose predecessors are done', async () => {
    const b = gatedBatch(['a', 'b', 'c', 'd']);
    const { opts, advances } = options();
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    b.open(2);
    b.open(1);
    await settle();
    expect(advances).toEqual([]); // 0 still runs: committing 1 or 2 would lose it on a crash
    b.open(0);
    await settle();
    expect(advances).toEqual([2]);
    b.open(3);
    await expect(run).resolves.toEqual({ kind: 'done' });
    expect(advances).toEqual([2, 3]);
  });

  it('after a failure starts nothing more, skips the failed key\'s successors, waits for what runs', async () => {
    const b = gatedBatch(['a', 'b', 'a', 'c', 'd']);
    const { opts, advances } = options({ maxInFlight: 4 });
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    expect([...b.running].sort()).toEqual([0, 1, 3]); // 2 holds the fourth slot behind 0
    const boom = new Error('boom');
    b.fail(0, boom);
    await settle();
    expect(b.events).not.toContain('start 2');
    expect(b.events).not.toContain('start 4');
    let finished = false;
    void run.then(() => { finished = true; });
    await settle();
    expect(finished).toBe(false); // 1 and 3 still run: the batch must not end under them
    b.open(1);
    b.open(3);
    await expect(run).resolves.toEqual({ kind: 'failed', doneThrough: -1, error: boom });
    expect(advances).toEqual([]);
    expect(b.events).not.toContain('start 2');
  });

  it('on a stop lets running items finish, starts no queued one, reports how far it got', async () => {
    let stopping = false;
    const b = gatedBatch(['a', 'a', 'b', 'c']);
    const { opts, advances } = options({ maxInFlight: 3, shouldStop: () => stopping });
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    expect([...b.running].sort()).toEqual([0, 2]);
    stopping = true;
    b.open(0);
    b.open(2);
    await expect(run).resolves.toEqual({ kind: 'stopped', doneThrough: 0 });
    expect(b.events).not.toContain('start 1'); // queued behind 0: not started once stopping
    expect(b.events).not.toContain('start 3');
    expect(advances).toEqual([0]);
  });

  it('ends as failed when shouldStop throws (a lost heartbeat), after what runs has finished', async () => {
    const lost = new Error('rebalancing');
    let calls = 0;
    const b = gatedBatch(['a', 'b', 'c']);
    const { opts } = options({ shouldStop: () => { if (++calls > 2) throw lost; return false; } });
    const run = runInKeyedLanes(b.items, opts);
    await settle();
    expect([...b.running].sort()).toEqual([0, 1]);
    b.open(1);
    b.open(0);
    await expect(run).resolves.toEqual({ kind: 'failed', doneThrough: 1, error: lost });
    expect(b.events).not.toContain('start 2');
  });

  it('with one slot is the old in-order loop', async () => {
    const b = gatedBatch(['a', 'b', 'c']);
    const { opts, advances } = options({ maxInFlight: 1 });
    const run = runInKeyedLanes(b.items, opts);
    for (const i of [0, 1, 2]) { await settle(); b.open(i); }
    await expect(run).resolves.toEqual({ kind: 'done' });
    expect(b.events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(advances).toEqual([0, 1, 2]);
  });
});
