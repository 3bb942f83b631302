import { describe, expect, it } from 'vitest';
import { ORDER_EVENTS } from './orderEvents.ts';
import { ORDER_DETAIL_VIEW, orderDetailProjection, projectOrderDetail } from './order_detail.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced, stream } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;

describe('order_detail projection', () => {
  it('inserts the full doc at v 1 for OrderPlaced, without the payment token', () => {
    const ops = projectOrderDetail(envelope(orderPlaced(ID), S, 1, '2024-03-01T12:00:01+00:00'));
    expect(ops).toEqual([
      {
        kind: 'insert',
        view: ORDER_DETAIL_VIEW,
        doc: {
          _id: ID,
          v: 1,
          customerId: 'cust-1',
          status: 'placed',
          currency: 'EUR',
          lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 500, lineTotalMinor: 1000 }],
          totalMinor: 1000,
          shippingAddress: { line1: '1 Main St', city: 'Utrecht', postalCode: '3511', country: 'NL' },
          statusHistory: [{ status: 'placed', at: '2024-03-01T12:00:00.000Z' }],
          payment: { status: 'pending' },
          reservation: { status: 'pending' },
          placedAt: '2024-03-01T12:00:00.000Z',
          updatedAt: '2024-03-01T12:00:01.000Z',
        },
      },
    ]);
    expect(JSON.stringify(ops)).not.toContain('tok_secret');
  });

  it('updates a stock fact with the exact-next guard and no status change', () => {
    const [op] = projectOrderDetail(envelope({ type: 'OrderStockShort', data: { orderId: ID, reason: 'SKU-1 short' } }, S, 2));
    expect(op).toEqual({
      kind: 'update',
      view: ORDER_DETAIL_VIEW,
      filter: { _id: ID, v: 1 },
      update: { $set: { reservation: { status: 'short', reason: 'SKU-1 short' }, updatedAt: '2024-03-01T12:00:00.000Z', v: 2 } },
    });
  });

  it('records payment outcomes', () => {
    const ok = projectOrderDetail(envelope({ type: 'OrderPaymentAuthorised', data: { orderId: ID, authorisationId: 'au-1' } }, S, 3));
    const ko = projectOrderDetail(envelope({ type: 'OrderPaymentFailed', data: { orderId: ID, reason: 'declined' } }, S, 3));
    expect(ok[0]).toMatchObject({ filter: { _id: ID, v: 2 }, update: { $set: { payment: { status: 'authorised' }, v: 3 } } });
    expect(ko[0]).toMatchObject({ update: { $set: { payment: { status: 'failed', reason: 'declined' } } } });
  });

  it('pushes a status change with its business time (normalised to UTC) and reason', () => {
    const [op] = projectOrderDetail(envelope(orderCancelled(ID, 1000, true, '2024-03-02T10:00:00+01:00'), S, 5));
    expect(op).toEqual({
      kind: 'update',
      view: ORDER_DETAIL_VIEW,
      filter: { _id: ID, v: 4 },
      update: {
        $set: { status: 'cancelled', updatedAt: '2024-03-01T12:00:00.000Z', v: 5 },
        $push: { statusHistory: { status: 'cancelled', at: '2024-03-02T09:00:00.000Z', reason: 'changed mind' } },
      },
    });
  });

  it('sets the rejection reason', () => {
    const [op] = projectOrderDetail(
      envelope({ type: 'OrderRejected', data: { orderId: ID, customerId: 'cust-1', reason: 'no stock', rejectedAt: '2024-03-01T12:03:00Z' } }, S, 3),
    );
    expect(op).toMatchObject({ update: { $set: { status: 'rejected', rejectionReason: 'no stock', v: 3 } } });
  });

  it('bumps v for every event of the stream', () => {
    const events = stream(S, [
      orderPlaced(ID),
      { type: 'OrderStockReserved', data: { orderId: ID } },
      { type: 'OrderPaymentAuthorised', data: { orderId: ID, authorisationId: 'au-1' } },
      orderConfirmed(ID, 1000),
      { type: 'OrderShipped', data: { orderId: ID, shippedAt: '2024-03-03T08:00:00Z' } },
    ]);
    const ops = events.flatMap(projectOrderDetail);
    expect(ops).toHaveLength(events.length);
    ops.slice(1).forEach((op, i) => {
      expect(op).toMatchObject({ kind: 'update', filter: { _id: ID, v: i + 1 }, update: { $set: { v: i + 2 } } });
    });
  });

  it('ignores events of other streams', () => {
    expect(projectOrderDetail(envelope({ type: 'StockRestocked', data: { sku: 'SKU-1', quantity: 3 } }, 'inventory-SKU-1', 1))).toEqual([]);
    expect(orderDetailProjection.handles).toEqual(ORDER_EVENTS);
  });
});
