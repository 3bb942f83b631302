import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../command-side/eventStore/eventStore.ts';
import type { RawRow } from './db.ts';

/** SKUs the bench defines in the catalogue (one price each, EUR). */
export const BENCH_SKUS = ['BENCH-MUG', 'BENCH-TEE', 'BENCH-HAT', 'BENCH-CAP'] as const;

export const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

/** A `placeOrder` input: one line of one catalogue SKU (rotating), a sandbox payment token. */
export function placeOrderInput(customerId: string, n: number): { customerId: string; lines: { sku: string; quantity: number }[]; shippingAddress: typeof address; paymentToken: string } {
  return { customerId, lines: [{ sku: BENCH_SKUS[n % BENCH_SKUS.length] ?? 'BENCH-MUG', quantity: 1 + (n % 3) }], shippingAddress: address, paymentToken: 'tok_visa' };
}

/** OrderPlaced v3 data as the command handler stores it (valid against the contract). */
export function orderPlacedData(orderId: string, customerId: string, at: string): Record<string, unknown> {
  const lines = [{ sku: 'BENCH-MUG', quantity: 2, unitPriceMinor: 1250, lineTotalMinor: 2500 }];
  return { orderId, customerId, currency: 'EUR', lines, totalMinor: 2500, shippingAddress: address, paymentRef: 'pm_test', placedAt: at };
}

/** A StockRestocked event ready to append (what a 100-event stock import would store). */
export function restockNewEvent(sku: string, quantity: number, correlationId: string): NewEvent {
  return {
    eventId: randomUUID(), type: 'StockRestocked', version: 1, data: { sku, quantity }, metadata: { principal: 'bench' },
    source: 'orderflow/command-side', correlationId, causationId: null, traceparent: null, occurredAt: new Date().toISOString(),
  };
}

/** The same event as a raw row for `raw_events` (values in `RAW_COLUMNS` order). */
export function toRawRow(e: NewEvent, streamId: string, streamVersion: number): RawRow {
  return [e.eventId, streamId, streamVersion, e.type, e.version, JSON.stringify(e.data), JSON.stringify(e.metadata), e.source, e.correlationId, e.causationId, e.traceparent, e.occurredAt];
}

/** An OrderPlaced raw row of the size the command handler writes (for the single-row INSERT baseline). */
export function orderPlacedRawRow(): RawRow {
  const orderId = randomUUID();
  const at = new Date().toISOString();
  return [randomUUID(), `order-${orderId}`, 1, 'OrderPlaced', 3, JSON.stringify(orderPlacedData(orderId, 'cust-bench', at)), JSON.stringify({ principal: 'bench' }), 'orderflow/command-side', randomUUID(), null, null, at];
}
