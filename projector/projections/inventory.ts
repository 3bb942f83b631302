import type { EventEnvelope, EventType } from '../../contracts/index.ts';
import { assertNever, contextOf, exactNext, pick, type EnvelopesOf, type Projection, type ViewSpec, type WriteOp } from './projection.ts';

/** Logical view name of the per-SKU stock documents. */
export const INVENTORY_VIEW = 'inventory';

/** Events of an `inventory-<sku>` stream. */
export const INVENTORY_EVENTS = [
  'StockRestocked',
  'StockAdjusted',
  'StockReserved',
  'StockReservationRejected',
  'StockReleased',
  'StockCommitted',
] as const satisfies readonly EventType[];

/** Stock counters of one SKU. */
export interface StockCounts {
  onHand: number;
  reserved: number;
  /** Always `onHand - reserved`, maintained incrementally. */
  available: number;
}

/** The `inventory` document: one per SKU, folding the `inventory-<sku>` stream. */
export interface InventoryDoc extends StockCounts {
  _id: string;
  /** streamVersion of the last applied inventory event (exact-next guard). */
  v: number;
  updatedAt: string;
}

/** Views owned by this projection; `_id` (sku) is the lookup key. */
export const INVENTORY_VIEWS: ViewSpec[] = [{ name: INVENTORY_VIEW, indexes: [] }];

/**
 * The change one inventory event makes to the counters (zeros when nothing changes,
 * e.g. a rejected reservation). Pure; used both for the first doc and for `$inc`.
 */
export function stockDelta(e: EnvelopesOf<(typeof INVENTORY_EVENTS)[number]>): StockCounts {
  switch (e.type) {
    case 'StockRestocked':
      return { onHand: e.data.quantity, reserved: 0, available: e.data.quantity };
    case 'StockAdjusted':
      return { onHand: e.data.delta, reserved: 0, available: e.data.delta };
    case 'StockReserved':
      return { onHand: 0, reserved: e.data.quantity, available: -e.data.quantity };
    case 'StockReleased':
      return { onHand: 0, reserved: -e.data.quantity, available: e.data.quantity };
    case 'StockCommitted':
      // Shipped units were already unavailable: they leave on-hand and the reservation.
      return { onHand: -e.data.quantity, reserved: -e.data.quantity, available: 0 };
    case 'StockReservationRejected':
      return { onHand: 0, reserved: 0, available: 0 };
    default:
      return assertNever(e);
  }
}

/**
 * Write ops for one event: the stream's first event (whatever its type) inserts the full
 * initial doc; every later event is an exact-next guarded `$inc` + `$set { v, updatedAt }`.
 * `$inc` is safe only because the guard lets each streamVersion apply exactly once.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable `occurredAt` (the envelope
 * schema checks only that it is non-empty).
 */
export function projectInventory(envelope: EventEnvelope): WriteOp[] {
  const e = pick(INVENTORY_EVENTS, envelope);
  if (!e) return [];
  const ctx = contextOf(e);
  const delta = stockDelta(e);
  const first = (): Record<string, unknown> => ({ ...delta, updatedAt: ctx.at });
  return [exactNext(INVENTORY_VIEW, e.data.sku, ctx, first, { $inc: { ...delta }, $set: { updatedAt: ctx.at } })];
}

/** Filter for the stock of the given SKUs (resolvers batch these through DataLoader). */
export function inventoryQuery(skus: readonly string[]): { filter: { _id: { $in: string[] } } } {
  return { filter: { _id: { $in: [...skus] } } };
}

/** The inventory projection. */
export const inventoryProjection: Projection = {
  name: 'inventory',
  codeVersion: 1,
  views: INVENTORY_VIEWS,
  handles: INVENTORY_EVENTS,
  project: projectInventory,
};
