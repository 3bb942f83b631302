import { describe, expect, it } from 'vitest';
import { canonicalJson, docHash } from './compare.ts';

describe('canonical document hashes', () => {
  it('ignore field order at every depth, not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(docHash({ _id: 'x', a: 1, b: { c: 2, d: 3 } })).toBe(docHash({ b: { d: 3, c: 2 }, a: 1, _id: 'x' }));
    expect(docHash({ _id: 'x', list: [1, 2] })).not.toBe(docHash({ _id: 'x', list: [2, 1] }));
  });

  it('leave out volatile top-level fields, dates as ISO', () => {
    expect(docHash({ _id: 'x', v: 1, rebuiltAt: 'now' }, ['rebuiltAt'])).toBe(docHash({ _id: 'x', v: 1 }, []));
    expect(canonicalJson({ at: new Date('2026-03-01T00:00:00Z') })).toBe('{"at":"2026-03-01T00:00:00.000Z"}');
  });
});
