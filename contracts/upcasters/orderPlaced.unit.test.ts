import { describe, expect, it } from 'vitest';
import fixture from '../../tests/fixtures/order-placed.v1.json' with { type: 'json' };
import { parseEnvelope } from '../envelope.ts';
import { ContractError } from '../errors.ts';
import { CURRENT_VERSION, parseEventData } from '../events/index.ts';

describe('OrderPlaced upcasters (v1 -> v2 -> v3)', () => {
  it('replays the v1 fixture as a v3 OrderPlaced, without its card token', () => {
    const event = parseEventData(fixture.type, fixture.version, fixture.data);
    expect(CURRENT_VERSION.OrderPlaced).toBe(3);
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
        paymentRef: 'pm_redacted',
        placedAt: '2024-06-01T09:30:00.000Z',
      },
    });
  });

  it('upcasts a whole v1 envelope to the current version', () => {
    const envelope = parseEnvelope(fixture);
    expect(envelope.version).toBe(3);
    expect(JSON.stringify(envelope)).not.toContain('tok_sandbox_visa');
    expect(envelope.globalPosition).toBe('42');
    expect(envelope.metadata).toEqual({ idempotencyKey: 'place-42' });
  });

  it('strips the card token from stored v2 data as it is read (and from rows the redaction command rewrote)', () => {
    const v2 = { ...parseEventData('OrderPlaced', 1, fixture.data).data, paymentToken: 'tok_4242_secret' } as Record<string, unknown>;
    delete v2['paymentRef'];
    const read = parseEventData('OrderPlaced', 2, v2).data;
    expect(read).toMatchObject({ orderId: fixture.data.orderId, paymentRef: 'pm_redacted' });
    expect(JSON.stringify(read)).not.toContain('tok_4242_secret');
    expect(parseEventData('OrderPlaced', 2, { ...v2, paymentToken: 'redacted' }).data).toEqual(read);
  });

  it('leaves v3 data as is', () => {
    const v3 = parseEventData('OrderPlaced', 1, fixture.data).data;
    expect(parseEventData('OrderPlaced', 3, v3).data).toEqual(v3);
  });

  it('rejects malformed v1 data and unsupported versions with INVALID_EVENT', () => {
    const bad = { ...fixture.data, shippingAddress: 7 };
    expect(() => parseEventData('OrderPlaced', 1, bad)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
    expect(() => parseEventData('OrderPlaced', 4, fixture.data)).toThrow(ContractError);
    expect(() => parseEventData('OrderPlaced', 0, fixture.data)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
  });
});
