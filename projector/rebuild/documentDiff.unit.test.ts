import { describe, expect, it } from 'vitest';
import { documentDiff, formatDiff } from './documentDiff.ts';

describe('documentDiff', () => {
  it('names each differing field path; list elements with an id by their id, a missing side as absent', () => {
    const live = { _id: 'SKU-1', items: [{ id: 'o-9', at: '2026-01-02', units: 1 }, { id: 'o-5', at: '2026-01-01', units: 2 }], unitsSold: 3 };
    const replay = { _id: 'SKU-1', items: [{ id: 'o-9', at: '2026-01-02', units: 1 }, { id: 'o-4', at: '2026-01-01', units: 1 }], unitsSold: 2 };
    expect(documentDiff(live, replay)).toEqual([
      { path: 'items[id=o-5]', a: '{"at":"2026-01-01","id":"o-5","units":2}' },
      { path: 'items[id=o-4]', b: '{"at":"2026-01-01","id":"o-4","units":1}' },
      { path: 'unitsSold', a: '3', b: '2' },
    ]);
    expect(formatDiff(documentDiff({ _id: 'x', n: 1 }, undefined), { a: 'live', b: 'replay' })).toEqual(['(document): live {"_id":"x","n":1} | replay —']);
  });

  it('finds nothing in equal documents whatever their field order, skips ignored fields, caps and clips', () => {
    expect(documentDiff({ a: { c: 1, d: [1, 2] }, b: 2 }, { b: 2, a: { d: [1, 2], c: 1 } })).toEqual([]);
    expect(documentDiff({ _id: 'x', at: 1 }, { _id: 'x', at: 2 }, { ignore: ['at'] })).toEqual([]);
    const many = documentDiff({ l: [1, 2, 3, 4] }, { l: [5, 6, 7, 8] }, { max: 2 });
    expect(many.map((d) => d.path)).toEqual(['l[0]', 'l[1]']);
    expect(documentDiff({ s: 'x'.repeat(50) }, { s: 'y' }, { width: 10 })[0]?.a).toBe(`"${'x'.repeat(8)}…`);
  });
});
