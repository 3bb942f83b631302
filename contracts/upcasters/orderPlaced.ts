import { z } from 'zod';
import { ContractError } from '../errors.ts';
import type { ShippingAddress } from '../events/orders.ts';
import { AmountMinor, Currency, Id, Quantity, toIssues } from '../primitives.ts';

/** OrderPlaced v1 as it was written: address as one string, lines without totals. */
export const OrderPlacedV1Data = z.object({
  orderId: Id,
  customerId: Id,
  currency: Currency,
  lines: z.array(z.object({ sku: Id, quantity: Quantity, unitPriceMinor: AmountMinor })).min(1),
  totalMinor: AmountMinor,
  shippingAddress: z.string(),
  // Still read so old rows validate; the v2 → v3 step drops it. Redacted rows hold 'redacted'.
  paymentToken: Id,
  placedAt: z.string(),
});
export type OrderPlacedV1Data = z.infer<typeof OrderPlacedV1Data>;

/**
 * Upcasts OrderPlaced v1 data to v2 (which still carried the card token; v2 → v3 drops it): the address string becomes `line1` (other fields
 * empty, since v1 never captured them) and each line gains `lineTotalMinor`.
 * @throws ContractError `INVALID_EVENT` when the input is not valid v1 data or a line
 * total would exceed Number.MAX_SAFE_INTEGER.
 */
export function upcastOrderPlacedV1(data: unknown): Omit<OrderPlacedV1Data, 'shippingAddress' | 'lines'> & { lines: (OrderPlacedV1Data['lines'][number] & { lineTotalMinor: number })[]; shippingAddress: ShippingAddress } {
  const parsed = OrderPlacedV1Data.safeParse(data);
  if (!parsed.success) {
    throw new ContractError('INVALID_EVENT', 'OrderPlaced v1 data is invalid', toIssues(parsed.error));
  }
  const v1 = parsed.data;
  const lines = v1.lines.map((l, i) => {
    const lineTotalMinor = l.quantity * l.unitPriceMinor;
    if (!Number.isSafeInteger(lineTotalMinor)) {
      throw new ContractError('INVALID_EVENT', 'OrderPlaced v1 line total is not a safe integer', [
        { path: ['lines', String(i)], message: 'quantity * unitPriceMinor overflows' },
      ]);
    }
    return { ...l, lineTotalMinor };
  });
  return {
    ...v1,
    lines,
    shippingAddress: { line1: v1.shippingAddress, city: '', postalCode: '', country: '' },
  };
}
