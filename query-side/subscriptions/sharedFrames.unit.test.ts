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
});
