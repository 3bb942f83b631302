import type { InventoryEvent as InventoryFamilyEvent } from '../../../contracts/index.ts';

/** Events of the inventory item aggregate (stream `inventory-<sku>`). */
export type InventoryEvent = InventoryFamilyEvent;

/**
 * What happened to one order's request for this SKU. Only `held` counts toward
 * `reserved`; the others are remembered so a repeated request is recognised.
 */
export type Reservation =
  | { status: 'held'; quantity: number }
  | { status: 'rejected'; quantity: number }
  | { status: 'released'; quantity: number }
  | { status: 'committed'; quantity: number };

/**
 * Stock of one SKU. Invariant: `0 <= reserved <= onHand`, so `available >= 0`, and
 * `reserved` equals the sum of `held` reservations.
 */
export interface InventoryState {
  onHand: number;
  reserved: number;
  reservations: ReadonlyMap<string, Reservation>;
}

/** State of a stream with no events. */
export const initialState: InventoryState = { onHand: 0, reserved: 0, reservations: new Map() };

/** Units that can still be reserved. */
export function available(state: InventoryState): number {
  return state.onHand - state.reserved;
}

function withReservation(state: InventoryState, orderId: string, r: Reservation): ReadonlyMap<string, Reservation> {
  return new Map(state.reservations).set(orderId, r);
}

/** Applies one event. Pure; trusts the event (it was decided against this state). */
export function evolve(state: InventoryState, event: InventoryEvent): InventoryState {
  switch (event.type) {
    case 'StockRestocked':
      return { ...state, onHand: state.onHand + event.data.quantity };
    case 'StockAdjusted':
      return { ...state, onHand: state.onHand + event.data.delta };
    case 'StockReserved': {
      const { orderId, quantity } = event.data;
      const reservations = withReservation(state, orderId, { status: 'held', quantity });
      return { ...state, reserved: state.reserved + quantity, reservations };
    }
    case 'StockReservationRejected': {
      const { orderId, quantity } = event.data;
      return { ...state, reservations: withReservation(state, orderId, { status: 'rejected', quantity }) };
    }
    case 'StockReleased': {
      const { orderId, quantity } = event.data;
      const reservations = withReservation(state, orderId, { status: 'released', quantity });
      return { ...state, reserved: state.reserved - quantity, reservations };
    }
    case 'StockCommitted': {
      const { orderId, quantity } = event.data;
      const reservations = withReservation(state, orderId, { status: 'committed', quantity });
      return { onHand: state.onHand - quantity, reserved: state.reserved - quantity, reservations };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
