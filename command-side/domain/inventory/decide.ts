import { assertPositiveInt, DomainError } from '../errors.ts';
import { available, type InventoryEvent, type InventoryState } from './inventory.ts';

/** Operator: units arrived. */
export interface Restock { type: 'Restock'; data: { sku: string; quantity: number } }
/** Operator: correct on-hand by a non-zero delta (stock count, damage, …). */
export interface AdjustStock { type: 'AdjustStock'; data: { sku: string; delta: number; reason: string } }
/** Saga: hold units for an order. */
export interface ReserveStock { type: 'ReserveStock'; data: { sku: string; orderId: string; quantity: number } }
/** Saga: give back whatever an order holds. */
export interface ReleaseStock { type: 'ReleaseStock'; data: { sku: string; orderId: string } }
/** Saga/shipping: the order's held units leave the warehouse. */
export interface CommitStock { type: 'CommitStock'; data: { sku: string; orderId: string } }

/** Commands of the inventory item aggregate. */
export type InventoryCommand = Restock | AdjustStock | ReserveStock | ReleaseStock | CommitStock;

/**
 * Decides the events for an inventory command, keeping `0 <= reserved <= onHand`.
 * Each order is decided once per SKU: a repeated ReserveStock returns `[]`, whatever
 * the first outcome was (so a re-run saga never holds stock for a closed order).
 * @throws DomainError `BAD_USER_INPUT` for non-positive quantities, a zero delta or an
 * empty reason; `CONFLICT` when an adjustment would take on-hand below reserved or a
 * commit finds nothing held for the order.
 */
export function decide(command: InventoryCommand, state: InventoryState): InventoryEvent[] {
  const { sku } = command.data;
  switch (command.type) {
    case 'Restock': {
      assertPositiveInt(command.data.quantity, 'quantity', ['quantity']);
      return [{ type: 'StockRestocked', data: { sku, quantity: command.data.quantity } }];
    }
    case 'AdjustStock': {
      const { delta, reason } = command.data;
      if (!Number.isSafeInteger(delta) || delta === 0) {
        throw new DomainError('BAD_USER_INPUT', `delta must be a non-zero integer, got ${delta}`, ['delta']);
      }
      if (reason.trim() === '') throw new DomainError('BAD_USER_INPUT', 'reason must not be empty', ['reason']);
      if (state.onHand + delta < state.reserved) {
        throw new DomainError(
          'CONFLICT',
          `adjusting ${sku} by ${delta} leaves ${state.onHand + delta} on hand but ${state.reserved} are reserved`,
          ['delta'],
        );
      }
      return [{ type: 'StockAdjusted', data: { sku, delta, reason } }];
    }
    case 'ReserveStock': {
      const { orderId, quantity } = command.data;
      assertPositiveInt(quantity, 'quantity', ['quantity']);
      if (state.reservations.has(orderId)) return [];
      const free = available(state);
      if (free < quantity) {
        return [{ type: 'StockReservationRejected', data: { sku, orderId, quantity, available: free } }];
      }
      return [{ type: 'StockReserved', data: { sku, orderId, quantity } }];
    }
    case 'ReleaseStock': {
      const { orderId } = command.data;
      const held = state.reservations.get(orderId);
      if (held?.status !== 'held') return [];
      return [{ type: 'StockReleased', data: { sku, orderId, quantity: held.quantity } }];
    }
    case 'CommitStock': {
      const { orderId } = command.data;
      const held = state.reservations.get(orderId);
      if (held?.status === 'committed') return [];
      if (held?.status !== 'held') {
        throw new DomainError('CONFLICT', `order ${orderId} holds no ${sku} to commit`);
      }
      return [{ type: 'StockCommitted', data: { sku, orderId, quantity: held.quantity } }];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
}
