import { describe, expect, it } from 'vitest';
import { applyUpdate, InvalidUpdateError, matches, storedValue, UnsupportedOperationError, upsertSeed } from './documentOps.ts';

describe('matches: the filter subset projections use', () => {
  const doc = { _id: 'o1', v: 3, status: 'placed', tags: ['a', 'b'], nested: { day: '2024-03-01' } };

  it('exact-next guard: equality on _id and v', () => {
    expect(matches(doc, { _id: 'o1', v: 3 })).toBe(true);
    expect(matches(doc, { _id: 'o1', v: 2 })).toBe(false);
  });

  it('$lt guard: a missing field or another type never compares', () => {
    expect(matches(doc, { _id: 'o1', v: { $lt: 4 } })).toBe(true);
    expect(matches(doc, { _id: 'o1', v: { $lt: 3 } })).toBe(false);
    expect(matches({ _id: 'x' }, { v: { $lt: 4 } })).toBe(false);
    expect(matches({ _id: 'x', v: '1' }, { v: { $lt: 4 } })).toBe(false);
  });

  it('array fields match any element; dotted paths; $in, $ne, $exists, $or', () => {
    expect(matches(doc, { tags: 'b' })).toBe(true);
    expect(matches(doc, { 'nested.day': '2024-03-01' })).toBe(true);
    expect(matches(doc, { status: { $in: ['x', 'placed'] } })).toBe(true);
    expect(matches(doc, { status: { $ne: 'placed' } })).toBe(false);
    expect(matches(doc, { missing: { $exists: false } })).toBe(true);
    expect(matches(doc, { $or: [{ v: 1 }, { v: 3 }] })).toBe(true);
  });

  it('throws for operators it does not implement instead of guessing', () => {
    expect(() => matches(doc, { status: { $regex: 'p' } })).toThrow(UnsupportedOperationError);
    expect(() => matches(doc, { $where: 'true' })).toThrow(UnsupportedOperationError);
  });
});

describe('applyUpdate', () => {
  it('$set keeps field positions, appends new ones, and stores undefined as null', () => {
    const doc: Record<string, unknown> = { _id: 'o1', v: 1, status: 'placed' };
    applyUpdate(doc, { $set: { status: 'confirmed', v: 2, reason: undefined } }, false);
    expect(Object.keys(doc)).toEqual(['_id', 'v', 'status', 'reason']);
    expect(doc).toEqual({ _id: 'o1', v: 2, status: 'confirmed', reason: null });
  });

  it('$inc, $push (and $each), $unset, $setOnInsert only when inserting', () => {
    const doc: Record<string, unknown> = { _id: 's', onHand: 5, history: [1] };
    applyUpdate(doc, { $inc: { onHand: -2, fresh: 3 }, $push: { history: 2 }, $setOnInsert: { created: true } }, false);
    applyUpdate(doc, { $push: { history: { $each: [3, 4] } }, $unset: { fresh: '' } }, false);
    expect(doc).toEqual({ _id: 's', onHand: 3, history: [1, 2, 3, 4] });
    const inserted: Record<string, unknown> = { _id: 'n' };
    applyUpdate(inserted, { $setOnInsert: { created: true } }, true);
    expect(inserted).toEqual({ _id: 'n', created: true });
  });

  it('rejects what the store rejects, and replacements it does not implement', () => {
    expect(() => applyUpdate({ _id: 'x', n: 'a' }, { $inc: { n: 1 } }, false)).toThrow(InvalidUpdateError);
    expect(() => applyUpdate({ _id: 'x' }, { $set: { _id: 'y' } }, false)).toThrow(InvalidUpdateError);
    expect(() => applyUpdate({ _id: 'x' }, { n: 1 }, false)).toThrow(UnsupportedOperationError);
    expect(() => applyUpdate({ _id: 'x' }, { $rename: { a: 'b' } }, false)).toThrow(UnsupportedOperationError);
  });

  it('copies values: later changes to the op do not leak into the document', () => {
    const line = { sku: 'A' };
    const doc: Record<string, unknown> = { _id: 'x' };
    applyUpdate(doc, { $set: { line } }, false);
    line.sku = 'B';
    expect(doc['line']).toEqual({ sku: 'A' });
  });
});

describe('upsertSeed', () => {
  it('starts from the equalities of the filter, _id first; operator conditions are left out', () => {
    expect(upsertSeed({ v: { $lt: 4 }, _id: 'o1', day: '2024-03-01', n: { $eq: 2 } })).toEqual({ _id: 'o1', day: '2024-03-01', n: 2 });
    expect(Object.keys(upsertSeed({ day: 'd', _id: 'o1' }))[0]).toBe('_id');
  });
});

describe('storedValue', () => {
  it('deep-copies and maps undefined to null, as the driver serialises it', () => {
    expect(storedValue({ a: [undefined, { b: undefined }] })).toEqual({ a: [null, { b: null }] });
  });
});
