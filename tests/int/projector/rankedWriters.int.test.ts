import { describe, expect, it } from 'vitest';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { stampAdds, type WriteOp } from '../../../projector/projections/index.ts';
import { SALES_RECENT, salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { rankShardOf } from '../../../projector/runner/liveShard.ts';
import { createViewReader } from '../../../query-side/views/viewReader.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../support/projectionFixtures.ts';
import { writerClients } from '../../support/writerClients.ts';

const projection = salesByProductProjection;
const names = namesFor(1);
const PARTITIONS = 2;
const ORDERS_PER_WRITER = 16;

/** Order ids `${sku}-<n>` whose stream lands in `partition`. */
function idsOf(sku: string, partition: number, count: number): string[] {
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) if (rankShardOf(SALES_RECENT, `${sku}-${n}`, PARTITIONS) === `orders.${partition}`) out.push(`${sku}-${n}`);
  return out;
}

const at = (k: number) => new Date(Date.UTC(2024, 5, 1) + k * 1000).toISOString();

/** One batch of a partition's writer: order `id` placed and confirmed at `k`, optionally an earlier one cancelled. */
function batch(partition: number, seq: number, id: string, k: number, cancel?: string): WriteOp[] {
  const stamp = (n: number) => ({ shard: `orders.${partition}`, position: `${1000 + seq}.${n}` });
  return [
    ...projection.project(envelope(orderPlaced(id, { lines: [{ sku: 'HOT', quantity: 1, unitPriceMinor: 100 }] }), `order-${id}`, 1)),
    ...stampAdds(projection.project(envelope(orderConfirmed(id, 100, at(k)), `order-${id}`, 4)), stamp(1)),
    ...(cancel ? stampAdds(projection.project(envelope(orderCancelled(cancel, 100, true), `order-${cancel}`, 6)), stamp(2)) : []),
  ];
}

/**
 * Regression: FerretDB 1.24 lets concurrent compare-and-set writers of one document all win
 * (`bench/tools/casProbe.ts`), and a recent list shared by partitions lost items when two projector
 * processes re-ranked the same SKU at once (CI's store-outage test ended with sales_recent differing
 * from a replay). Now each partition's writer owns its own list shard: two writers on two clients
 * (as two processes) rank one SKU at the same time, cancelling listed orders (refills) as they go,
 * and the merged list is exactly the ten newest counted orders.
 */
describe('ranked lists: two partitions ranking one SKU at once lose nothing (real FerretDB)', () => {
  const store = writerClients('t_ranked', projection);

  it('each writer owns its list shard; the merged list equals the newest counted orders', async () => {
    const counted = new Map<string, number>();
    const writers = [0, 1].map(async (partition) => {
      const db = store.dbs()[partition]!;
      const ids = idsOf('HOT', partition, ORDERS_PER_WRITER);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        // Interleaved times: the two partitions' orders alternate in the ranking.
        const k = i * 2 + partition;
        // Every third batch cancels this writer's newest counted order: a listed one leaves a full list.
        const cancel = i >= 12 && i % 3 === 0 ? ids[i - 1] : undefined;
        await applyOps(db, names, batch(partition, i, id, k, cancel), projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: PARTITIONS });
        counted.set(id, k);
        if (cancel) counted.delete(cancel);
      }
    });
    await Promise.all(writers);
    const db = store.dbs()[0]!;
    const lists = await db.collection(names('sales_recent')).find({ bucket: 'HOT' }).toArray();
    expect(lists.map((l) => l['shard']).sort()).toEqual(['orders.0', 'orders.1']);
    const expected = [...counted].sort(([, a], [, b]) => b - a).slice(0, 10).map(([id]) => id);
    const [hot] = await createViewReader(db).sales(['HOT']);
    expect(hot?.recentOrders.map((o) => o.orderId)).toEqual(expected);
    expect(hot?.unitsSold).toBe(counted.size);
  }, 120_000);
});
