import { describe, expect, it } from 'vitest';
import { fold, inventoryDecider } from '../aggregate.ts';
import { deciderSpec } from '../../../tests/support/deciderSpec.ts';
import { available, type InventoryEvent } from './inventory.ts';

const spec = deciderSpec(inventoryDecider);
const sku = 'MUG';
const restocked = (quantity: number): InventoryEvent => ({ type: 'StockRestocked', data: { sku, quantity } });
const reserved = (orderId: string, quantity: number): InventoryEvent => ({
  type: 'StockReserved',
  data: { sku, orderId, quantity },
});
const released = (orderId: string, quantity: number): InventoryEvent => ({
  type: 'StockReleased',
  data: { sku, orderId, quantity },
});
const committed = (orderId: string, quantity: number): InventoryEvent => ({
  type: 'StockCommitted',
  data: { sku, orderId, quantity },
});

describe('inventory decide', () => {
  describe('Restock', () => {
    it('adds units', () => spec.given([]).when({ type: 'Restock', data: { sku, quantity: 5 } }).then([restocked(5)]));
    it('is BAD_USER_INPUT for a non-positive quantity', () =>
      spec.given([]).when({ type: 'Restock', data: { sku, quantity: 0 } }).thenThrows('BAD_USER_INPUT', ['quantity']));
  });

  describe('AdjustStock', () => {
    const adjust = (delta: number) => ({ type: 'AdjustStock' as const, data: { sku, delta, reason: 'count' } });
    it('adjusts down to exactly the reserved units', () =>
      spec
        .given([restocked(10), reserved('o1', 4)])
        .when(adjust(-6))
        .then([{ type: 'StockAdjusted', data: { sku, delta: -6, reason: 'count' } }]));
    it('is CONFLICT below reserved', () =>
      spec.given([restocked(10), reserved('o1', 4)]).when(adjust(-7)).thenThrows('CONFLICT'));
    it('is CONFLICT below zero', () => spec.given([]).when(adjust(-1)).thenThrows('CONFLICT'));
    it('is BAD_USER_INPUT for a zero delta or an empty reason', () => {
      spec.given([]).when(adjust(0)).thenThrows('BAD_USER_INPUT', ['delta']);
      spec.given([]).when({ type: 'AdjustStock', data: { sku, delta: 1, reason: '' } }).thenThrows('BAD_USER_INPUT', ['reason']);
    });
  });

  describe('ReserveStock', () => {
    const reserve = (orderId: string, quantity: number) => ({ type: 'ReserveStock' as const, data: { sku, orderId, quantity } });
    it('reserves available units', () => spec.given([restocked(5)]).when(reserve('o1', 5)).then([reserved('o1', 5)]));
    it('rejects when available < quantity, reporting available', () =>
      spec
        .given([restocked(5), reserved('o1', 3)])
        .when(reserve('o2', 3))
        .then([{ type: 'StockReservationRejected', data: { sku, orderId: 'o2', quantity: 3, available: 2 } }]));
    it('reserves once per order', () => spec.given([restocked(5), reserved('o1', 2)]).when(reserve('o1', 2)).then([]));
    it('does not retry a rejected order, nor re-reserve a released one', () => {
      const rejected: InventoryEvent = {
        type: 'StockReservationRejected',
        data: { sku, orderId: 'o1', quantity: 9, available: 0 },
      };
      spec.given([rejected, restocked(20)]).when(reserve('o1', 9)).then([]);
      spec.given([restocked(5), reserved('o1', 2), released('o1', 2)]).when(reserve('o1', 2)).then([]);
    });
    it('is BAD_USER_INPUT for a non-positive quantity', () =>
      spec.given([restocked(5)]).when(reserve('o1', -1)).thenThrows('BAD_USER_INPUT'));
  });

  describe('ReleaseStock', () => {
    const release = (orderId: string) => ({ type: 'ReleaseStock' as const, data: { sku, orderId } });
    it('releases exactly what the order holds', () =>
      spec.given([restocked(9), reserved('o1', 2), reserved('o2', 3)]).when(release('o2')).then([released('o2', 3)]));
    it('releases nothing for an order holding nothing', () => {
      spec.given([restocked(9)]).when(release('o1')).then([]);
      spec.given([restocked(9), reserved('o1', 2), released('o1', 2)]).when(release('o1')).then([]);
      spec.given([restocked(9), reserved('o1', 2), committed('o1', 2)]).when(release('o1')).then([]);
    });
  });

  describe('CommitStock', () => {
    const commit = (orderId: string) => ({ type: 'CommitStock' as const, data: { sku, orderId } });
    it('commits the held units; reserved and on-hand both drop', () => {
      spec.given([restocked(9), reserved('o1', 2)]).when(commit('o1')).then([committed('o1', 2)]);
      const state = fold(inventoryDecider, [restocked(9), reserved('o1', 2), committed('o1', 2)]);
      expect([state.onHand, state.reserved, available(state)]).toEqual([7, 0, 7]);
    });
    it('is idempotent once committed', () =>
      spec.given([restocked(9), reserved('o1', 2), committed('o1', 2)]).when(commit('o1')).then([]));
    it('is CONFLICT when the order holds nothing', () => {
      spec.given([restocked(9)]).when(commit('o1')).thenThrows('CONFLICT');
      spec.given([restocked(9), reserved('o1', 2), released('o1', 2)]).when(commit('o1')).thenThrows('CONFLICT');
    });
  });

  it('names its stream inventory-<sku>', () => expect(inventoryDecider.streamId(sku)).toBe('inventory-MUG'));
});
