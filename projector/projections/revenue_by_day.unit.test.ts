import { comparePositionText } from '../../contracts/index.ts';
import { describe, expect, it } from 'vitest';
import { stampAdds } from './projection.ts';
import { projectRevenueByDay, REVENUE_BY_DAY_VIEW, REVENUE_ENTRIES_VIEW, revenueBucketsOf, revenueByDayQuery } from './revenue_by_day.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;

describe('revenue_by_day projection', () => {
  it('OrderConfirmed: guarded absolute upsert of the entry, then one add to its UTC day bucket', () => {
    // 00:30 at +02:00 is the previous UTC day.
    const ops = projectRevenueByDay(envelope(orderConfirmed(ID, 1234, '2024-03-02T00:30:00+02:00', 'USD'), S, 4));
    expect(ops).toEqual([
      {
        kind: 'update',
        view: REVENUE_ENTRIES_VIEW,
        filter: { _id: ID, v: { $lt: 4 } },
        update: {
          $set: {
            orderId: ID,
            day: '2024-03-01',
            currency: 'USD',
            grossMinor: 1234,
            refundedMinor: 0,
            netMinor: 1234,
            orderCount: 1,
            cancelledCount: 0,
            v: 4,
          },
        },
        upsert: true,
      },
      { kind: 'add', view: REVENUE_BY_DAY_VIEW, key: { day: '2024-03-01', currency: 'USD' }, add: { grossMinor: 1234, refundedMinor: 0, netMinor: 1234, orderCount: 1, cancelledCount: 0 } },
    ]);
  });

  it('OrderCancelled after confirmation: nets the entry to zero (no upsert) and adds the refund to the day its entry names', () => {
    expect(projectRevenueByDay(envelope(orderCancelled(ID, 1234, true), S, 6))).toEqual([
      {
        kind: 'update',
        view: REVENUE_ENTRIES_VIEW,
        filter: { _id: ID, v: { $lt: 6 } },
        update: { $set: { grossMinor: 1234, refundedMinor: 1234, netMinor: 0, orderCount: 1, cancelledCount: 1, v: 6 } },
      },
      {
        kind: 'add', view: REVENUE_BY_DAY_VIEW, key: {}, via: { view: REVENUE_ENTRIES_VIEW, id: ID, fields: ['day', 'currency'] },
        add: { grossMinor: 0, refundedMinor: 1234, netMinor: -1234, orderCount: 0, cancelledCount: 1 },
      },
    ]);
  });

  it('ignores cancellations before confirmation and other order events', () => {
    expect(projectRevenueByDay(envelope(orderCancelled(ID, 1234, false), S, 2))).toEqual([]);
    expect(projectRevenueByDay(envelope(orderPlaced(ID), S, 1))).toEqual([]);
  });
});

describe('revenue buckets', () => {
  const shard = (shardName: string, over: Record<string, unknown>) => ({
    _id: `2024-03-01:EUR#${shardName}`, day: '2024-03-01', currency: 'EUR', shard: shardName, pos: '1.1',
    grossMinor: 0, refundedMinor: 0, netMinor: 0, orderCount: 0, cancelledCount: 0, ...over,
  });

  it('a bucket is the sum of its shards; currencies and days stay apart', () => {
    expect(revenueBucketsOf([
      shard('base', { grossMinor: 100, netMinor: 100, orderCount: 1 }),
      shard('orders.events.2', { grossMinor: 50, refundedMinor: 50, cancelledCount: 1, orderCount: 1 }),
      { ...shard('base', { grossMinor: 7 }), _id: '2024-03-01:USD#base', currency: 'USD' },
    ])).toEqual([
      { _id: '2024-03-01:EUR', day: '2024-03-01', currency: 'EUR', grossMinor: 150, refundedMinor: 50, netMinor: 100, orderCount: 2, cancelledCount: 1 },
      { _id: '2024-03-01:USD', day: '2024-03-01', currency: 'USD', grossMinor: 7, refundedMinor: 0, netMinor: 0, orderCount: 0, cancelledCount: 0 },
    ]);
  });

  it('stamps adds (and only adds) with their shard and position; positions order as (xid, gp) numbers', () => {
    const ops = projectRevenueByDay(envelope(orderConfirmed(ID, 10, '2024-03-01T10:00:00Z'), S, 4));
    const stamped = stampAdds(ops, { shard: 'orders.1', position: '12.3' });
    expect(stamped.map((o) => (o.kind === 'add' ? o.at : undefined))).toEqual([undefined, { shard: 'orders.1', position: '12.3' }]);
    expect(comparePositionText('9.100', '10.1')).toBe(-1);
    expect(comparePositionText('10.2', '10.10')).toBe(-1);
    expect(comparePositionText('10.10', '10.10')).toBe(0);
    expect(comparePositionText('', '0.1')).toBe(-1);
  });

  it('builds the day-range query', () => {
    expect(revenueByDayQuery({ from: '2024-03-01', to: '2024-03-31', currency: 'EUR' })).toEqual({
      filter: { day: { $gte: '2024-03-01', $lte: '2024-03-31' }, currency: 'EUR' },
      sort: { day: 1, currency: 1 },
    });
  });
});
