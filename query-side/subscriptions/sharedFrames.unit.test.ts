import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createSharedFrames } from './sharedFrames.ts';

const frame = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });
const text = (f: string | Buffer) => (typeof f === 'string' ? f : f.toString('utf8'));

describe('shared frames', () => {
  it('every socket gets the frame graphql-ws would have written, from one serialisation', () => {
    const frames = createSharedFrames();
    let serialised = 0;
    const data = { inventoryChanged: { token: 't1', item: { sku: 'MUG', onHand: 3, note: 'ünïcode "quoted" }' } } };
    const result = { data, toJSON: () => (serialised++, { data }) };
    const sent = ['1', '2', 'abc'].map((id) => text(frames.expand(frame(id, frames.mark(result)))));
    expect(sent.map((s) => JSON.parse(s) as unknown)).toEqual(['1', '2', 'abc'].map((id) => ({ id, type: 'next', payload: { data } })));
    expect(serialised).toBe(1);
  });

  it('leaves other frames alone, including client data that looks like a placeholder', () => {
    const frames = createSharedFrames();
    const marker = JSON.stringify(frames.mark({ data: { x: 1 } }));
    const lookalike = frame('1', { data: { s: JSON.parse(marker) as string } });
    expect(frames.expand(lookalike)).toBe(lookalike);
    expect(frames.expand('{"type":"pong"}')).toBe('{"type":"pong"}');
  });

  it('drops a payload once a turn passed with every marked send expanded, and serialises again after', async () => {
    const frames = createSharedFrames();
    let serialised = 0;
    const result = { toJSON: () => (serialised++, { data: 1 }) };
    frames.expand(frame('1', frames.mark(result)));
    frames.expand(frame('2', frames.mark(result)));
    expect(frames.pending()).toBe(1);
    await nextTurn();
    expect(frames.pending()).toBe(0);
    expect(JSON.parse(text(frames.expand(frame('3', frames.mark(result)))))).toEqual({ id: '3', type: 'next', payload: { data: 1 } });
    expect(serialised).toBe(2);
  });

  it('forgets payloads whose sends never came after maxAgeMs', () => {
    let t = 0;
    const frames = createSharedFrames(1000, () => t);
    frames.mark({ data: 1 });
    expect(frames.pending()).toBe(1);
    t = 5000;
    frames.mark({ data: 2 });
    expect(frames.pending()).toBe(1);
  });

  it('never sweeps a payload that is still being marked, however old it is', () => {
    let t = 0;
    const frames = createSharedFrames(1000, () => t);
    const live = { data: { live: true } };
    frames.mark(live); // a send that never came: its entry stays pending
    t = 900;
    const marker = frames.mark(live);
    t = 1500;
    frames.mark({ data: 2 }); // sweeps entries not marked for maxAgeMs
    expect(JSON.parse(text(frames.expand(frame('1', marker))))).toEqual({ id: '1', type: 'next', payload: live });
  });
});
