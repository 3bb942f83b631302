import { describe, expect, it } from 'vitest';
import fixture from '../../tests/fixtures/order-placed.v1.json' with { type: 'json' };
import { parseEnvelope } from '../envelope.ts';
import { ContractError } from '../errors.ts';
import { CURRENT_VERSION, parseEventData } from '../events/index.ts';

describe('OrderPlaced v1 -> v2 upcaster', () => {
  it('replays the v1 fixture as a v2 OrderPlaced', () => {
    const event = parseEventData(fixture.type, fixture.version, fixture.data);
    expect(CURRENT_VERSION.OrderPlaced).toBe(2);
    expect(event).toEqual({
      type: 'OrderPlaced',
      data: {
        orderId: '0b6a3c1e-7d2f-4e8a-9c1b-2f3e4d5a6b7c',
        customerId: 'cust-42',
        currency: 'EUR',
        lines: [
          { sku: 'MUG-1', quantity: 2, unitPriceMinor: 1200, lineTotalMinor: 2400 },
          { sku: 'TEA-GREEN', quantity: 3, unitPriceMinor: 450, lineTotalMinor: 1350 },
        ],
        totalMinor: 3750,
        shippingAddress: { line1: '1 Rue de la République, 69001 Lyon, France', city: '', postalCode: '', country: '' },
        paymentToken: 'tok_sandbox_visa',
        placedAt: '2024-06-01T09:30:00.000Z',
      },
    });
  });

  it('upcasts a whole v1 envelope to the current version', () => {
    const envelope = parseEnvelope(fixture);
    expect(envelope.version).toBe(2);
    expect(envelope.globalPosition).toBe('42');
    expect(envelope.metadata).toEqual({ idempotencyKey: 'place-42' });
  });

  it('leaves v2 data as is', () => {
    const v2 = parseEventData('OrderPlaced', 1, fixture.data).data;
    expect(parseEventData('OrderPlaced', 2, v2).data).toEqual(v2);
  });

  it('rejects malformed v1 data and unsupported versions with INVALID_EVENT', () => {
    const bad = { ...fixture.data, shippingAddress: 7 };
    expect(() => parseEventData('OrderPlaced', 1, bad)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
    expect(() => parseEventData('OrderPlaced', 3, fixture.data)).toThrow(ContractError);
    expect(() => parseEventData('OrderPlaced', 0, fixture.data)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
  });
});
