import { z } from 'zod';
import { Id, Quantity } from '../primitives.ts';
import type { EventsOf } from './family.ts';

const SkuOrder = { sku: Id, orderId: Id, quantity: Quantity };

/** StockRestocked v1: units arrive. Stream `inventory-<sku>`. */
export const StockRestockedData = z.object({ sku: Id, quantity: Quantity });
export type StockRestockedData = z.infer<typeof StockRestockedData>;

/** StockAdjusted v1: manual correction; delta is a non-zero integer, possibly negative. */
export const StockAdjustedData = z.object({
  sku: Id,
  delta: z.int().refine((d) => d !== 0, 'delta must not be zero'),
  reason: z.string().min(1),
});
export type StockAdjustedData = z.infer<typeof StockAdjustedData>;

/** StockReserved v1: units held for an order. */
export const StockReservedData = z.object(SkuOrder);
export type StockReservedData = z.infer<typeof StockReservedData>;

/** StockReservationRejected v1: not enough available units (`available` at decision time). */
export const StockReservationRejectedData = z.object({ ...SkuOrder, available: z.int().nonnegative() });
export type StockReservationRejectedData = z.infer<typeof StockReservationRejectedData>;

/** StockReleased v1: an order's hold is given back. */
export const StockReleasedData = z.object(SkuOrder);
export type StockReleasedData = z.infer<typeof StockReleasedData>;

/** StockCommitted v1: order shipped; its reserved units leave on-hand. */
export const StockCommittedData = z.object(SkuOrder);
export type StockCommittedData = z.infer<typeof StockCommittedData>;

/** Current version + schema of every inventory event (topic `inventory.events`). */
export const inventoryEvents = {
  StockRestocked: { version: 1, schema: StockRestockedData },
  StockAdjusted: { version: 1, schema: StockAdjustedData },
  StockReserved: { version: 1, schema: StockReservedData },
  StockReservationRejected: { version: 1, schema: StockReservationRejectedData },
  StockReleased: { version: 1, schema: StockReleasedData },
  StockCommitted: { version: 1, schema: StockCommittedData },
} as const;

/** Union of inventory events at their current version. */
export type InventoryEvent = EventsOf<typeof inventoryEvents>;
