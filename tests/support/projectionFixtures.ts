// Test-only helpers for the projection unit tests: deterministic, contract-validated envelopes.
import { makeEnvelope, parseEnvelope, type EventEnvelope, type DomainEvent, type EventOf } from '../../contracts/index.ts';

/**
 * A contract-valid envelope (runs `parseEnvelope`, so an invalid fixture fails loudly).
 * `occurredAt` defaults to a fixed instant: nothing here reads the clock.
 */
export function envelope(event: DomainEvent, streamId: string, streamVersion: number, occurredAt = '2024-03-01T12:00:00.000Z'): EventEnvelope {
  return parseEnvelope(
    makeEnvelope({ event, eventId: `${streamId}#${streamVersion}`, streamId, streamVersion, occurredAt, correlationId: streamId }),
  );
}

/** Envelopes of one stream, numbered 1..n; each occurs one minute after `startAt`'s previous. */
export function stream(streamId: string, events: readonly DomainEvent[], startAt = '2024-03-01T12:00:00.000Z'): EventEnvelope[] {
  const t0 = Date.parse(startAt);
  return events.map((ev, i) => envelope(ev, streamId, i + 1, new Date(t0 + i * 60_000).toISOString()));
}

/** Line input for {@link orderPlaced}; totals are derived. */
export interface LineInput {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

/** An OrderPlaced event with consistent totals. */
export function orderPlaced(
  orderId: string,
  opts: { customerId?: string; currency?: string; lines?: LineInput[]; placedAt?: string } = {},
): EventOf<'OrderPlaced'> {
  const lines = (opts.lines ?? [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 500 }]).map((l) => ({
    ...l,
    lineTotalMinor: l.quantity * l.unitPriceMinor,
  }));
  return {
    type: 'OrderPlaced',
    data: {
      orderId,
      customerId: opts.customerId ?? 'cust-1',
      currency: opts.currency ?? 'EUR',
      lines,
      totalMinor: lines.reduce((s, l) => s + l.lineTotalMinor, 0),
      shippingAddress: { line1: '1 Main St', city: 'Utrecht', postalCode: '3511', country: 'NL' },
      paymentRef: 'pm_test',
      placedAt: opts.placedAt ?? '2024-03-01T12:00:00.000Z',
    },
  };
}

/** An OrderConfirmed event. */
export function orderConfirmed(
  orderId: string,
  totalMinor: number,
  confirmedAt = '2024-03-01T12:05:00.000Z',
  currency = 'EUR',
): EventOf<'OrderConfirmed'> {
  return { type: 'OrderConfirmed', data: { orderId, customerId: 'cust-1', currency, totalMinor, confirmedAt } };
}

/** An OrderCancelled event. */
export function orderCancelled(
  orderId: string,
  totalMinor: number,
  wasConfirmed: boolean,
  cancelledAt = '2024-03-02T09:00:00.000Z',
  currency = 'EUR',
): EventOf<'OrderCancelled'> {
  return {
    type: 'OrderCancelled',
    data: { orderId, customerId: 'cust-1', reason: 'changed mind', wasConfirmed, currency, totalMinor, cancelledAt },
  };
}
