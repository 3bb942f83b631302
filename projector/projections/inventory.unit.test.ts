import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contracts/events/index.ts';
import { INVENTORY_VIEW, inventoryQuery, projectInventory } from './inventory.ts';
import { envelope, orderPlaced } from '../../tests/support/projectionFixtures.ts';

const SKU = 'SKU-1';
const S = `inventory-${SKU}`;
const AT = '2024-03-01T12:00:00.000Z';

describe('inventory projection', () => {
  it('inserts the computed initial doc for the first event, whatever its type', () => {
    expect(projectInventory(envelope({ type: 'StockRestocked', data: { sku: SKU, quantity: 10 } }, S, 1))).toEqual([
      { kind: 'insert', view: INVENTORY_VIEW, doc: { _id: SKU, v: 1, onHand: 10, reserved: 0, available: 10, updatedAt: AT } },
    ]);
    expect(projectInventory(envelope({ type: 'StockAdjusted', data: { sku: SKU, delta: -2, reason: 'count' } }, S, 1))).toEqual([
      { kind: 'insert', view: INVENTORY_VIEW, doc: { _id: SKU, v: 1, onHand: -2, reserved: 0, available: -2, updatedAt: AT } },
    ]);
  });

  it.each<[string, DomainEvent, { onHand: number; reserved: number; available: number }]>([
    ['restock', { type: 'StockRestocked', data: { sku: SKU, quantity: 5 } }, { onHand: 5, reserved: 0, available: 5 }],
    ['adjust', { type: 'StockAdjusted', data: { sku: SKU, delta: -3, reason: 'broken' } }, { onHand: -3, reserved: 0, available: -3 }],
    ['reserve', { type: 'StockReserved', data: { sku: SKU, orderId: 'o', quantity: 2 } }, { onHand: 0, reserved: 2, available: -2 }],
    ['release', { type: 'StockReleased', data: { sku: SKU, orderId: 'o', quantity: 2 } }, { onHand: 0, reserved: -2, available: 2 }],
    ['commit', { type: 'StockCommitted', data: { sku: SKU, orderId: 'o', quantity: 2 } }, { onHand: -2, reserved: -2, available: 0 }],
    [
      'rejected reservation (v only)',
      { type: 'StockReservationRejected', data: { sku: SKU, orderId: 'o', quantity: 9, available: 1 } },
      { onHand: 0, reserved: 0, available: 0 },
    ],
  ])('%s: guarded $inc and v bump', (_name, event, inc) => {
    expect(projectInventory(envelope(event, S, 7))).toEqual([
      {
        kind: 'update',
        view: INVENTORY_VIEW,
        filter: { _id: SKU, v: 6 },
        update: { $inc: inc, $set: { updatedAt: AT, v: 7 } },
      },
    ]);
  });

  it('ignores order events', () => {
    expect(projectInventory(envelope(orderPlaced('o'), 'order-o', 1))).toEqual([]);
  });

  it('builds the batched lookup', () => {
    expect(inventoryQuery(['A', 'B'])).toEqual({ filter: { _id: { $in: ['A', 'B'] } } });
  });
});
