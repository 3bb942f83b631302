import { describe, expect, it } from 'vitest';
import { eventOf, makeEnvelope, parseEnvelope } from './envelope.ts';
import type { EventOf } from './events/index.ts';

const event: EventOf<'StockReserved'> = { type: 'StockReserved', data: { sku: 'MUG', orderId: 'o1', quantity: 2 } };
const base = {
  event,
  eventId: '3f8e2a4b-1c5d-4e6f-8a9b-0c1d2e3f4a5b',
  streamId: 'inventory-MUG',
  streamVersion: 3,
  occurredAt: '2025-01-02T10:00:00.000Z',
  correlationId: 'corr-1',
};

describe('makeEnvelope', () => {
  it('fills defaults and the current version, with no clock or randomness', () => {
    const env = makeEnvelope(base);
    expect(env).toEqual({
      eventId: base.eventId, type: 'StockReserved', version: 1, streamId: 'inventory-MUG', streamVersion: 3,
      globalPosition: '0', occurredAt: base.occurredAt, source: 'orderflow/command-side', correlationId: 'corr-1',
      causationId: null, traceparent: null, data: event.data, metadata: {},
    });
    expect(makeEnvelope(base)).toEqual(env);
  });

  it('rejects a non-positive stream version', () => {
    expect(() => makeEnvelope({ ...base, streamVersion: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ENVELOPE' }));
  });

  it('round-trips through JSON and parseEnvelope', () => {
    const env = makeEnvelope({ ...base, causationId: 'cause-1', traceparent: '00-abc-def-01', metadata: { k: 'v' } });
    const parsed = parseEnvelope(JSON.parse(JSON.stringify(env)));
    expect(parsed).toEqual(env);
    expect(eventOf(parsed)).toEqual(event);
  });

  it('is INVALID_ENVELOPE for malformed envelope fields', () => {
    const env = { ...makeEnvelope(base), globalPosition: 'abc' };
    expect(() => parseEnvelope(env)).toThrow(expect.objectContaining({ code: 'INVALID_ENVELOPE' }));
  });
});
