import { describe, expect, it } from 'vitest';
import { kafkaString, requestFrame, WireReader } from './kafkaWire.ts';

describe('kafka wire pieces', () => {
  it('frames a request: size, api key, version, correlation id, client id, body', () => {
    const frame = requestFrame(13, 1, 7, 'sup', kafkaString('g'));
    expect([...frame]).toEqual([
      0, 0, 0, 16, // size of what follows
      0, 13, 0, 1, 0, 0, 0, 7, // LeaveGroup v1, correlation 7
      0, 3, 0x73, 0x75, 0x70, // "sup"
      0, 1, 0x67, // body: "g"
    ]);
  });

  it('reads INT8, INT16, INT32, strings and null strings, and refuses a string past the end', () => {
    const buf = Buffer.from([1, 0, 25, 0, 0, 1, 0, 0, 2, 0x68, 0x69, 0xff, 0xff, 0, 9, 0x61]);
    const r = new WireReader(buf);
    expect([r.int8(), r.int16(), r.int32(), r.string(), r.string()]).toEqual([1, 25, 256, 'hi', null]);
    expect(() => r.string()).toThrow(RangeError);
  });
});
