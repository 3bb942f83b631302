import { describe, expect, it } from 'vitest';
import { nextFrame, nextFramePrefix } from './nextFrame.ts';

describe('next frames', () => {
  it('is the message graphql-ws would write, byte for byte, for any id', () => {
    const result = { data: { inventoryChanged: { token: 't1', item: { sku: 'MUG', onHand: 3, note: 'ünïcode "quoted" }' } } } };
    for (const id of ['1', 'a"b', '0b8f2a4e-5c1d-4d2e-9f3a-2b7c1e6d5a40']) {
      expect(nextFrame(nextFramePrefix(id), result).toString('utf8')).toBe(JSON.stringify({ id, type: 'next', payload: result }));
    }
  });

  it('serialises a shared result once, however many subscriptions frame it', () => {
    let serialised = 0;
    const result = { toJSON: () => (serialised++, { data: { n: 1 } }) };
    const frames = Array.from({ length: 100 }, (_, i) => nextFrame(nextFramePrefix(String(i)), result).toString('utf8'));
    expect(serialised).toBe(1);
    expect(frames[42]).toBe('{"id":"42","type":"next","payload":{"data":{"n":1}}}');
    nextFrame(nextFramePrefix('x'), { toJSON: () => (serialised++, {}) });
    expect(serialised).toBe(2); // another result object is serialised on its own
  });
});
