import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { unhandledMessage } from './unhandledMessage.ts';

const message = (headers: Record<string, string>, value = 'not json at all'): KafkaMessage =>
  ({ key: Buffer.from('order-1'), value: Buffer.from(value), headers, offset: '7', timestamp: '0', attributes: 0 }) satisfies KafkaMessage;
const handled = new Set(['OrderConfirmed', 'OrderCancelled']);

describe('unhandledMessage', () => {
  it('answers a type the projection does not handle from its headers, without touching the value', () => {
    const m = message({ type: 'OrderPlaced', position: '812.4051', occurredAt: '2026-12-04T19:00:00.000Z' });
    expect(unhandledMessage(m, handled)).toEqual({ message: m, ops: [], position: '812.4051', occurredAt: Date.parse('2026-12-04T19:00:00.000Z') });
  });

  it('leaves a handled type to the full decode (parse, upcast, validation)', () => {
    expect(unhandledMessage(message({ type: 'OrderConfirmed', position: '812.4051' }), handled)).toBeUndefined();
  });

  it('leaves a message whose headers do not say its type or position to the full decode', () => {
    expect(unhandledMessage(message({ position: '812.4051' }), handled)).toBeUndefined();
    expect(unhandledMessage(message({ type: 'OrderPlaced' }), handled)).toBeUndefined();
    expect(unhandledMessage(message({ type: 'OrderPlaced', position: '' }), handled)).toBeUndefined();
  });

  it('has no time when the occurredAt header is missing or unreadable', () => {
    expect(unhandledMessage(message({ type: 'OrderPlaced', position: '1.2', occurredAt: 'yesterday' }), handled)).not.toHaveProperty('occurredAt');
    expect(unhandledMessage(message({ type: 'OrderPlaced', position: '1.2' }), handled)).not.toHaveProperty('occurredAt');
  });
});
