import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { projections, stampAdds } from '../../../projector/projections/index.ts';
import { LOG_START } from '../../../contracts/position.ts';
import { liveShardOf } from '../../../projector/runner/liveShard.ts';
import { eventually, startPipeline, type Pipeline } from '../../support/pipeline.ts';
import { confirmOrder, placeOrder, seedProduct } from '../../support/orders.ts';

const viewNames = projections.flatMap((p) => p.views.map((v) => v.name));

async function snapshot(p: Pipeline): Promise<Record<string, unknown[]>> {
  const names = namesFor(1);
  const out: Record<string, unknown[]> = {};
  for (const v of viewNames) out[v] = await p.db.collection(names(v)).find({}).sort({ _id: 1 }).toArray();
  return out;
}

describe('projector: Kafka → MongoDB views (real Postgres, Kafka, FerretDB)', () => {
  let p: Pipeline;
  const names = namesFor(1);
  beforeAll(async () => {
    p = await startPipeline('views');
  });
  afterAll(() => p.stop());

  it('projects orders, inventory, revenue and sales from the event store through Kafka', async () => {
    await seedProduct(p.handler, 'MUG', 1250, 10);
    await seedProduct(p.handler, 'TEE', 2000, 5);
    const lines = [{ sku: 'MUG', quantity: 2 }, { sku: 'TEE', quantity: 1 }];
    const orderId = await placeOrder(p.handler, p.pool, 'cust-1', lines);
    await confirmOrder(p.handler, orderId, lines);

    const detail = await eventually(() => p.db.collection(names('order_detail')).findOne({ _id: orderId as never, status: 'confirmed' }));
    expect(detail).toMatchObject({ customerId: 'cust-1', currency: 'EUR', totalMinor: 4500 });
    expect(JSON.stringify(detail)).not.toContain('tok_visa');
    const row = await eventually(() => p.db.collection(names('orders_by_customer')).findOne({ _id: orderId as never, status: 'confirmed' }));
    expect(row).toMatchObject({ customerId: 'cust-1', totalMinor: 4500, itemCount: 3 });
    const day = new Date().toISOString().slice(0, 10);
    const revenue = await eventually(() => p.db.collection(names('revenue_by_day')).findOne({ day, currency: 'EUR', orderCount: 1 }));
    expect(revenue).toMatchObject({ grossMinor: 4500, netMinor: 4500 });
    const mug = await eventually(() => p.db.collection(names('inventory')).findOne({ _id: 'MUG' as never, reserved: 2 }));
    expect(mug).toMatchObject({ onHand: 10, available: 8 });
    const sales = await eventually(() => p.db.collection(names('sales_by_product')).findOne({ sku: 'MUG', unitsSold: 2 }));
    expect(sales).toMatchObject({ currency: 'EUR', revenueMinor: 2500 });
    const recent = await eventually(() => p.db.collection(names('sales_recent')).findOne({ bucket: 'MUG' }));
    expect(recent?.['items']).toMatchObject([{ id: orderId, units: 2 }]);
  });

  it('replaying every stored event again (duplicates) leaves byte-identical views', async () => {
    const before = await snapshot(p);
    const events = await eventStorePorts(p.pool).readAll(LOG_START, 10_000);
    for (const projection of projections) {
      // Sums land where the live writer of the event's partition put them (as a rebuild's drain does), guarded by position.
      const ops = events.flatMap((e) => (projection.handles.includes(e.envelope.type)
        ? stampAdds(projection.project(e.envelope), { shard: liveShardOf(e.envelope.type, e.envelope.streamId, 3), position: e.position })
        : []));
      await applyOps(p.db, names, ops, projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: 3 });
      await applyOps(p.db, names, ops, projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: 3 }); // and twice
    }
    const after = await snapshot(p);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    expect((after.order_detail ?? []).length).toBe(1);
  });
});
