import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventData } from '../../contracts/events/parse.ts';
import { inventoryDecider, orderDecider } from './aggregate.ts';
import { DomainError } from './errors.ts';
import type { InventoryCommand } from './inventory/decide.ts';
import { available, type InventoryState } from './inventory/inventory.ts';
import type { PlaceOrder } from './order/decide.ts';

const sku = 'SKU-1';
const orderIdArb = fc.constantFrom('o1', 'o2', 'o3', 'o4');
const qtyArb = fc.integer({ min: -3, max: 25 }); // includes invalid quantities on purpose

const inventoryCommandArb: fc.Arbitrary<InventoryCommand> = fc.oneof(
  qtyArb.map((quantity) => ({ type: 'Restock' as const, data: { sku, quantity } })),
  fc.integer({ min: -40, max: 40 }).map((delta) => ({ type: 'AdjustStock' as const, data: { sku, delta, reason: 'count' } })),
  fc.tuple(orderIdArb, qtyArb).map(([orderId, quantity]) => ({ type: 'ReserveStock' as const, data: { sku, orderId, quantity } })),
  orderIdArb.map((orderId) => ({ type: 'ReleaseStock' as const, data: { sku, orderId } })),
  orderIdArb.map((orderId) => ({ type: 'CommitStock' as const, data: { sku, orderId } })),
);

function assertInvariants(s: InventoryState): void {
  const held = [...s.reservations.values()].reduce((n, r) => n + (r.status === 'held' ? r.quantity : 0), 0);
  expect(s.reserved).toBeGreaterThanOrEqual(0);
  expect(s.onHand).toBeGreaterThanOrEqual(s.reserved);
  expect(available(s)).toBeGreaterThanOrEqual(0);
  expect(s.reserved).toBe(held);
}

describe('inventory invariants', () => {
  it('never lets onHand, reserved or available go negative', () => {
    fc.assert(
      fc.property(fc.array(inventoryCommandArb, { maxLength: 60 }), (commands) => {
        let state = inventoryDecider.initialState;
        for (const command of commands) {
          let events;
          try {
            events = inventoryDecider.decide(command, state);
          } catch (e) {
            // Rejected commands are fine; anything but a DomainError is a bug.
            expect(e).toBeInstanceOf(DomainError);
            continue;
          }
          for (const event of events) {
            // Every decided event also satisfies its published contract.
            expect(parseEventData(event.type, 1, event.data)).toEqual(event);
            state = inventoryDecider.evolve(state, event);
            assertInvariants(state);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

const placeOrderArb = (maxPrice: number): fc.Arbitrary<PlaceOrder> =>
  fc
    .uniqueArray(
      fc.record({
        sku: fc.stringMatching(/^[A-Z0-9-]{1,8}$/),
        quantity: fc.integer({ min: 1, max: 1000 }),
        price: fc.integer({ min: 1, max: maxPrice }),
      }),
      { minLength: 1, maxLength: 20, selector: (l) => l.sku },
    )
    .map((lines) => ({
      type: 'PlaceOrder',
      data: {
        orderId: 'o1',
        customerId: 'c1',
        lines: lines.map(({ sku: s, quantity }) => ({ sku: s, quantity })),
        shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' },
        paymentRef: 'pm_test',
        now: '2025-01-02T10:00:00.000Z',
        catalogue: Object.fromEntries(lines.map((l) => [l.sku, { unitPrice: { amountMinor: l.price, currency: 'EUR' } }])),
      },
    }));

describe('order total invariants', () => {
  it('totalMinor == sum(lineTotalMinor) == sum(quantity * unitPrice)', () => {
    fc.assert(
      fc.property(placeOrderArb(1_000_000), (command) => {
        const [event] = orderDecider.decide(command, orderDecider.initialState);
        if (event?.type !== 'OrderPlaced') throw new Error('expected OrderPlaced');
        const { lines, totalMinor } = event.data;
        const expected = command.data.lines.reduce(
          (n, l) => n + l.quantity * (command.data.catalogue[l.sku]?.unitPrice.amountMinor ?? NaN),
          0,
        );
        expect(totalMinor).toBe(lines.reduce((n, l) => n + l.lineTotalMinor, 0));
        expect(totalMinor).toBe(expected);
        expect(parseEventData('OrderPlaced', 3, event.data)).toEqual(event);
      }),
    );
  });

  it('near the safe-integer limit: exact totals or BAD_USER_INPUT, never a rounded total', () => {
    fc.assert(
      fc.property(placeOrderArb(Number.MAX_SAFE_INTEGER), (command) => {
        const exact = command.data.lines.reduce(
          (n, l) => n + BigInt(l.quantity) * BigInt(command.data.catalogue[l.sku]?.unitPrice.amountMinor ?? 0),
          0n,
        );
        try {
          const [event] = orderDecider.decide(command, orderDecider.initialState);
          if (event?.type !== 'OrderPlaced') throw new Error('expected OrderPlaced');
          expect(BigInt(event.data.totalMinor)).toBe(exact);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          expect((e as DomainError).code).toBe('BAD_USER_INPUT');
          expect(exact > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
        }
      }),
    );
  });
});
