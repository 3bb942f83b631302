import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTickWrites } from './tickWrites.ts';

/** A writable that records each underlying write call: a `writev` of several chunks is one entry. */
function recorder() {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      calls.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.map((c) => String(c.chunk)));
      cb();
    },
  });
  return { stream, calls };
}

const nextTick = () => new Promise<void>((r) => process.nextTick(r));

describe('tick writes', () => {
  it('sends every frame one socket got in a tick in one writev, each socket apart, and starts over in the next tick', async () => {
    const hold = createTickWrites();
    const a = recorder();
    const b = recorder();
    for (const [s, text] of [[a, 'a1'], [a, 'a2'], [b, 'b1'], [a, 'a3']] as const) {
      hold(s.stream);
      s.stream.write(text);
    }
    expect(a.calls).toEqual([]);
    await nextTick();
    expect(a.calls).toEqual([['a1', 'a2', 'a3']]);
    expect(b.calls).toEqual([['b1']]);
    hold(a.stream);
    a.stream.write('a4');
    await nextTick();
    expect(a.calls).toEqual([['a1', 'a2', 'a3'], ['a4']]);
    expect(a.stream.writableCorked).toBe(0);
  });

  it('holds at most maxHeld sockets: one more releases the others at once', () => {
    const hold = createTickWrites(2);
    const [a, b, c] = [recorder(), recorder(), recorder()];
    hold(a.stream);
    a.stream.write('a1');
    a.stream.write('a2');
    hold(b.stream);
    b.stream.write('b1');
    expect(a.calls).toEqual([]);
    hold(c.stream);
    expect(a.calls).toEqual([['a1', 'a2']]);
    expect(b.calls).toEqual([['b1']]);
    c.stream.write('c1');
    expect(c.calls).toEqual([]);
    expect(c.stream.writableCorked).toBe(1);
  });
});
