import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryDecider } from '../../../command-side/domain/aggregate.ts';
import { deadLetterTopic } from '../../../messaging/topics.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { inventoryProjection } from '../../../projector/projections/inventory.ts';
import type { Projection } from '../../../projector/projections/index.ts';
import { DEAD_LETTERS, type DeadLetterDoc } from '../../../projector/runner/deadLetters.ts';
import { testCtx } from '../../support/eventStore.ts';
import { testKafka } from '../../support/isolation.ts';
import { collect } from '../../support/kafkaCollector.ts';
import { eventually, startPipeline, type Pipeline } from '../../support/pipeline.ts';

let calls = 0;
/** The inventory projection, except that it throws for one poison SKU. */
const poisoned: Projection = {
  ...inventoryProjection,
  name: 'inventory_poisoned',
  project(e) {
    if ((e.data as { sku?: string }).sku === 'POISON') {
      calls++;
      throw new Error('projection bug for POISON');
    }
    return inventoryProjection.project(e);
  },
};

describe('poison events (real Kafka + FerretDB)', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('poison', [poisoned]);
  });
  afterAll(() => p.stop());

  it('goes to the dead-letter topic after 5 tries while later events on its partition are projected', async () => {
    const restock = (sku: string, quantity: number) => p.handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity } }, testCtx());
    await restock('POISON', 1);
    // Many SKUs after it: with 3 partitions, several share the poison's partition.
    for (let i = 0; i < 12; i++) await restock(`OK-${i}`, i + 1);
    const names = namesFor(1);
    for (let i = 0; i < 12; i++) await eventually(() => p.db.collection(names('inventory')).findOne({ _id: `OK-${i}` as never, onHand: i + 1 }));
    const dl = await eventually(() => p.db.collection<DeadLetterDoc>(DEAD_LETTERS).findOne({ streamId: 'inventory-POISON' }));
    expect(dl).toMatchObject({ attempts: 5, status: 'open', type: 'StockRestocked', projection: 'inventory_poisoned' });
    expect(dl.error).toContain('projection bug for POISON');
    expect(calls).toBe(5);
    expect(await p.db.collection(names('inventory')).findOne({ _id: 'POISON' as never })).toBeNull();

    const dlq = await collect(testKafka('dlq'), [deadLetterTopic(p.prefix, `${p.prefix}projector.inventory_poisoned`)]);
    await dlq.waitFor((m) => m.length === 1, 20_000);
    const [msg] = dlq.messages;
    await dlq.stop();
    expect(msg?.key).toBe('inventory-POISON');
    expect(msg?.headers.type).toBe('StockRestocked');
  });
});
