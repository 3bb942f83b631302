import { describe, expect, it } from 'vitest';
import type { Doc } from '../memory/documentOps.ts';
import { createFlushWriter, insertChunks, type FlushSink } from './flushWriter.ts';

/** A sink whose commands finish only when the test releases them, recording what ran when. */
function gatedSink() {
  const log: string[] = [];
  const gates: { label: string; release(): void; fail(err: Error): void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const command = (label: string) => new Promise<void>((release, fail) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    log.push(`start ${label}`);
    gates.push({
      label,
      release: () => { running--; log.push(`end ${label}`); release(); },
      fail: (err) => { running--; log.push(`fail ${label}`); fail(err); },
    });
  });
  const ids = (docs: Doc[]) => docs.map((d) => String(d['_id'])).join(',');
  const sink: FlushSink = {
    insert: (view, docs) => command(`insert ${view} ${ids(docs)}`),
    replace: (view, docs) => command(`replace ${view} ${ids(docs)}`),
  };
  /** Lets the microtasks run so queued commands start. */
  const settle = () => new Promise<void>((r) => setImmediate(r));
  const gate = (label: string) => {
    const g = gates.find((x) => x.label === label);
    if (!g) throw new Error(`no command ${label} started; log: ${log.join(' | ')}`);
    gates.splice(gates.indexOf(g), 1);
    return g;
  };
  return { sink, log, settle, gate, get maxRunning() { return maxRunning; } };
}

const docs = (...ids: string[]): Doc[] => ids.map((_id) => ({ _id }));

describe('insertChunks', () => {
  it('splits a flush into at least as many chunks as slots, within the bounds', () => {
    expect(insertChunks([1, 2, 3, 4], 2, 1, 10)).toEqual([[1, 2], [3, 4]]);
    expect(insertChunks([1, 2, 3, 4, 5], 1, 1, 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(insertChunks([1, 2, 3], 4, 2, 10)).toEqual([[1, 2], [3]]);
    expect(insertChunks([], 2, 1, 10)).toEqual([]);
  });
});

describe('createFlushWriter', () => {
  it('starts the next flush\'s inserts while the current one writes, never more than the slots', async () => {
    const s = gatedSink();
    const w = createFlushWriter(s.sink, { insertConcurrency: 2, minInsertChunk: 1, maxInsertChunk: 1 });
    const first = w.write([{ view: 'v', inserts: docs('a'), replaces: [] }]);
    const second = w.write([{ view: 'v', inserts: docs('b', 'c'), replaces: [] }]);
    await s.settle();
    expect(s.log).toEqual(['start insert v a', 'start insert v b']);
    s.gate('insert v b').release();
    await s.settle();
    expect(s.log.at(-1)).toBe('start insert v c');
    s.gate('insert v c').release();
    s.gate('insert v a').release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(s.maxRunning).toBe(2);
  });

  it('writes a flush\'s replaces only after every earlier flush and its own inserts are in the store', async () => {
    const s = gatedSink();
    const w = createFlushWriter(s.sink, { insertConcurrency: 2, minInsertChunk: 1 });
    const first = w.write([{ view: 'v', inserts: docs('a'), replaces: [] }]);
    const second = w.write([{ view: 'v', inserts: docs('b'), replaces: docs('a') }]);
    await s.settle();
    s.gate('insert v b').release();
    await s.settle();
    expect(s.log).not.toContain('start replace v a'); // the insert of a is still in flight
    s.gate('insert v a').release();
    await s.settle();
    expect(s.log.at(-1)).toBe('start replace v a');
    s.gate('replace v a').release();
    await first;
    expect(await second).toBe(2);
  });

  it('a failed write fails its flush and every later one, starts no further insert, and idle() waits for what is in flight', async () => {
    const s = gatedSink();
    const w = createFlushWriter(s.sink, { insertConcurrency: 1, minInsertChunk: 1 });
    const first = w.write([{ view: 'v', inserts: docs('a'), replaces: [] }]);
    const second = w.write([{ view: 'v', inserts: docs('b'), replaces: [] }]);
    first.catch(() => undefined);
    second.catch(() => undefined);
    await s.settle();
    s.gate('insert v a').fail(new Error('store down'));
    await expect(first).rejects.toThrow('store down');
    await expect(second).rejects.toThrow('store down');
    await w.idle();
    expect(s.log).toEqual(['start insert v a', 'fail insert v a']);
  });

  it('idle() resolves only once every queued command settled', async () => {
    const s = gatedSink();
    const w = createFlushWriter(s.sink, { insertConcurrency: 2, minInsertChunk: 1 });
    void w.write([{ view: 'v', inserts: docs('a'), replaces: [] }]);
    let idle = false;
    void w.idle().then(() => { idle = true; });
    await s.settle();
    expect(idle).toBe(false);
    s.gate('insert v a').release();
    await s.settle();
    expect(idle).toBe(true);
  });
});
