import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customerOrdersQuery,
  decodeCursor,
  encodeCursor,
  ORDERS_BY_CUSTOMER_VIEW,
  projectOrdersByCustomer,
  toCustomerOrdersPage,
  type OrderByCustomerDoc,
} from './orders_by_customer.ts';
import { ProjectionError } from './projection.ts';
import { envelope, orderConfirmed, orderPlaced } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;

describe('orders_by_customer projection', () => {
  it('inserts the row for OrderPlaced with itemCount = total units', () => {
    const placed = orderPlaced(ID, {
      customerId: 'c-9',
      placedAt: '2024-03-01T13:00:00+01:00',
      lines: [
        { sku: 'A', quantity: 2, unitPriceMinor: 100 },
        { sku: 'B', quantity: 3, unitPriceMinor: 10 },
      ],
    });
    expect(projectOrdersByCustomer(envelope(placed, S, 1))).toEqual([
      {
        kind: 'insert',
        view: ORDERS_BY_CUSTOMER_VIEW,
        doc: {
          _id: ID,
          v: 1,
          customerId: 'c-9',
          placedAt: '2024-03-01T12:00:00.000Z',
          status: 'placed',
          totalMinor: 230,
          currency: 'EUR',
          itemCount: 5,
          updatedAt: '2024-03-01T12:00:00.000Z',
        },
      },
    ]);
  });

  it('updates status with the exact-next guard', () => {
    expect(projectOrdersByCustomer(envelope(orderConfirmed(ID, 1000), S, 4, '2024-03-01T12:05:00Z'))).toEqual([
      {
        kind: 'update',
        view: ORDERS_BY_CUSTOMER_VIEW,
        filter: { _id: ID, v: 3 },
        update: { $set: { status: 'confirmed', updatedAt: '2024-03-01T12:05:00.000Z', v: 4 } },
      },
    ]);
  });

  it('still bumps v for events that do not change the row', () => {
    const [op] = projectOrdersByCustomer(envelope({ type: 'OrderStockReserved', data: { orderId: ID } }, S, 2));
    expect(op).toEqual({
      kind: 'update',
      view: ORDERS_BY_CUSTOMER_VIEW,
      filter: { _id: ID, v: 1 },
      update: { $set: { updatedAt: '2024-03-01T12:00:00.000Z', v: 2 } },
    });
  });
});

describe('cursor', () => {
  it('round-trips any normalised position', () => {
    const instant = fc.integer({ min: 0, max: 253402300799999 }).map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(instant, fc.string({ minLength: 1 }), (placedAt, orderId) => {
        const c = encodeCursor({ placedAt, orderId });
        expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(c)).toEqual({ placedAt, orderId });
      }),
    );
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope', 'utf8').toString('base64url')],
    ['not a pair', Buffer.from('["2024-03-01T12:00:00.000Z"]').toString('base64url')],
    ['wrong types', Buffer.from('[1,2]').toString('base64url')],
    ['empty id', Buffer.from('["2024-03-01T12:00:00.000Z",""]').toString('base64url')],
    ['unnormalised time', Buffer.from('["2024-03-01T12:00:00Z","o"]').toString('base64url')],
  ])('rejects garbage (%s) with a typed, non-retriable error', (_why, garbage) => {
    const err = (() => {
      try {
        decodeCursor(garbage);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProjectionError);
    expect(err).toMatchObject({ code: 'INVALID_CURSOR', retriable: false });
  });
});

describe('customerOrdersQuery / toCustomerOrdersPage', () => {
  it('queries newest first without a cursor', () => {
    expect(customerOrdersQuery({ customerId: 'c', first: 2 })).toEqual({
      filter: { customerId: 'c' },
      sort: { placedAt: -1, _id: -1 },
      limit: 3,
    });
  });

  it('continues strictly after the cursor, ties broken by _id', () => {
    const after = encodeCursor({ placedAt: '2024-03-01T12:00:00.000Z', orderId: 'o-5' });
    expect(customerOrdersQuery({ customerId: 'c', first: 10, after }).filter).toEqual({
      customerId: 'c',
      $or: [{ placedAt: { $lt: '2024-03-01T12:00:00.000Z' } }, { placedAt: '2024-03-01T12:00:00.000Z', _id: { $lt: 'o-5' } }],
    });
  });

  it('rejects a non-positive page size', () => {
    expect(() => customerOrdersQuery({ customerId: 'c', first: 0 })).toThrow(RangeError);
  });

  it('cuts the extra row into hasNextPage and points endCursor at the last item', () => {
    const row = (id: string): OrderByCustomerDoc => ({
      _id: id,
      customerId: 'c',
      placedAt: '2024-03-01T12:00:00.000Z',
      status: 'placed',
      totalMinor: 1,
      currency: 'EUR',
      itemCount: 1,
      v: 1,
      updatedAt: '2024-03-01T12:00:00.000Z',
    });
    const page = toCustomerOrdersPage([row('o3'), row('o2'), row('o1')], 2);
    expect(page.items.map((r) => r._id)).toEqual(['o3', 'o2']);
    expect(page.hasNextPage).toBe(true);
    expect(decodeCursor(page.endCursor ?? '')).toEqual({ placedAt: '2024-03-01T12:00:00.000Z', orderId: 'o2' });
    expect(toCustomerOrdersPage([], 2)).toEqual({ items: [], endCursor: null, hasNextPage: false });
  });
});
