import { describe, expect, it } from 'vitest';
import { ProjectionError } from './projection.ts';
import {
  entryFilter,
  projectRevenueByDay,
  recomputeBucket,
  REVENUE_BY_DAY_VIEW,
  REVENUE_ENTRIES_VIEW,
  revenueBuckets,
  revenueByDayQuery,
  type RevenueEntry,
} from './revenue_by_day.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../tests/support/projectionFixtures.ts';

const ID = 'order-a';
const S = `order-${ID}`;

describe('revenue_by_day projection', () => {
  it('OrderConfirmed: guarded absolute upsert of the entry, then recompute of its UTC day bucket', () => {
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
      { kind: 'recompute', view: REVENUE_BY_DAY_VIEW, key: { day: '2024-03-01', currency: 'USD' } },
    ]);
  });

  it('OrderCancelled after confirmation: nets the entry to zero (no upsert) and recomputes via the entry', () => {
    expect(projectRevenueByDay(envelope(orderCancelled(ID, 1234, true), S, 6))).toEqual([
      {
        kind: 'update',
        view: REVENUE_ENTRIES_VIEW,
        filter: { _id: ID, v: { $lt: 6 } },
        update: { $set: { grossMinor: 1234, refundedMinor: 1234, netMinor: 0, orderCount: 1, cancelledCount: 1, v: 6 } },
      },
      { kind: 'recomputeFromEntries', view: REVENUE_BY_DAY_VIEW, entries: { _id: ID } },
    ]);
  });

  it('ignores cancellations before confirmation and other order events', () => {
    expect(projectRevenueByDay(envelope(orderCancelled(ID, 1234, false), S, 2))).toEqual([]);
    expect(projectRevenueByDay(envelope(orderPlaced(ID), S, 1))).toEqual([]);
  });
});

describe('revenue buckets', () => {
  const entry = (orderId: string, over: Partial<RevenueEntry> = {}): RevenueEntry => ({
    _id: orderId,
    orderId,
    day: '2024-03-01',
    currency: 'EUR',
    grossMinor: 100,
    refundedMinor: 0,
    netMinor: 100,
    orderCount: 1,
    cancelledCount: 0,
    v: 3,
    ...over,
  });
  const key = { day: '2024-03-01', currency: 'EUR' };

  it('sums the entries of the bucket; revision = sum of v', () => {
    const r = recomputeBucket(key, [
      entry('o1'),
      entry('o2', { grossMinor: 50, refundedMinor: 50, netMinor: 0, cancelledCount: 1, v: 7 }),
      entry('o3', { currency: 'USD' }),
    ]);
    expect(r).toEqual({
      revision: 10,
      doc: {
        _id: '2024-03-01:EUR',
        day: '2024-03-01',
        currency: 'EUR',
        grossMinor: 150,
        refundedMinor: 50,
        netMinor: 100,
        orderCount: 2,
        cancelledCount: 1,
        revision: 10,
      },
    });
  });

  it('gives an empty bucket revision 0', () => {
    expect(recomputeBucket(key, []).revision).toBe(0);
  });

  it('exposes the entry filter and entry key to the adapter', () => {
    expect(entryFilter(key)).toEqual(key);
    expect(revenueBuckets.entryFilter({ ...key })).toEqual(key);
    expect(revenueBuckets.keyOfEntry({ ...entry('o1') })).toEqual(key);
    expect(revenueBuckets.recompute({ ...key }, [{ ...entry('o1') }]).revision).toBe(3);
  });

  it('rejects documents it did not write with MALFORMED_DOC', () => {
    expect(() => revenueBuckets.keyOfEntry({ _id: 'x', day: 'yesterday' })).toThrow(ProjectionError);
    expect(() => revenueBuckets.recompute({ day: 1 }, [])).toThrow(/malformed revenue bucket key/);
  });

  it('builds the day-range query', () => {
    expect(revenueByDayQuery({ from: '2024-03-01', to: '2024-03-31', currency: 'EUR' })).toEqual({
      filter: { day: { $gte: '2024-03-01', $lte: '2024-03-31' }, currency: 'EUR' },
      sort: { day: 1, currency: 1 },
    });
  });
});
