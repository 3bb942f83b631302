import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contextOf, exactNext, isoInstant, parseDoc, pick, ProjectionError, utcDay } from './projection.ts';
import { envelope, orderPlaced } from '../../tests/support/projectionFixtures.ts';

describe('projection helpers', () => {
  const ctx = (v: number) => ({ streamId: 's', v, at: '2024-03-01T12:00:00.000Z' });

  it('exactNext inserts at v 1 and otherwise guards on exactly v - 1', () => {
    expect(exactNext('view', 'id', ctx(1), () => ({ a: 1 }), { $set: { a: 2 } })).toEqual({
      kind: 'insert',
      view: 'view',
      doc: { a: 1, _id: 'id', v: 1 },
    });
    expect(exactNext('view', 'id', ctx(3), () => ({ a: 1 }), { $inc: { n: 1 } })).toEqual({
      kind: 'update',
      view: 'view',
      filter: { _id: 'id', v: 2 },
      update: { $inc: { n: 1 }, $set: { v: 3 } },
    });
  });

  it('pick narrows to handled types only', () => {
    const e = envelope(orderPlaced('o'), 'order-o', 1);
    expect(pick(['OrderPlaced'], e)?.data.orderId).toBe('o');
    expect(pick(['OrderShipped'], e)).toBeNull();
  });

  it('normalises timestamps to UTC and rejects garbage with a typed error', () => {
    expect(isoInstant('2024-03-01T01:30:00+02:00')).toBe('2024-02-29T23:30:00.000Z');
    expect(utcDay('2024-03-01T01:30:00+02:00')).toBe('2024-02-29');
    expect(() => isoInstant('yesterday')).toThrow(ProjectionError);
    const bad = { ...envelope(orderPlaced('o'), 'order-o', 1), occurredAt: 'soon' };
    expect(() => contextOf(bad)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP', retriable: false }));
  });

  it('isoInstant returns a canonical instant as is and anything else as Date would format it', () => {
    // The fast path (no parse for what the store writes) must agree with the slow one everywhere.
    for (const ts of ['2026-01-01T00:00:00.000Z', '2024-02-28T23:59:59.999Z', '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z',
      '2026-04-31T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+01:00', '0001-01-01T00:00:00.000Z']) {
      expect(isoInstant(ts)).toBe(new Date(Date.parse(ts)).toISOString());
    }
    expect(() => isoInstant('2026-13-01T00:00:00.000Z')).toThrow(ProjectionError);
  });

  it('parseDoc returns the parsed doc or throws MALFORMED_DOC', () => {
    const S = z.object({ n: z.int() });
    expect(parseDoc(S, { n: 1, extra: true }, 'thing')).toEqual({ n: 1 });
    expect(() => parseDoc(S, { n: 'x' }, 'thing')).toThrow(expect.objectContaining({ code: 'MALFORMED_DOC' }));
  });
});
