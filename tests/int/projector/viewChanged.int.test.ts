import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { inventoryCommands } from '../../../command-side/handlers/inventory.ts';
import { comparePositionText, LOG_START } from '../../../contracts/position.ts';
import { viewChangedTopic } from '../../../messaging/topics.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { INVENTORY_VIEW, inventoryProjection } from '../../../projector/projections/inventory.ts';
import { parseViewChanged } from '../../../projector/runner/viewChanged.ts';
import { testKafka } from '../../support/isolation.ts';
import { eventually, startPipeline, type Pipeline } from '../../support/pipeline.ts';

/** What one notification named, and what the store held for it the moment it arrived. */
interface Seen {
  sku: string;
  position: string;
  storedVersion: number | undefined;
}

const SKUS = Array.from({ length: 8 }, (_, i) => `VC-${i}`);
const RESTOCKS = 4;

/**
 * The projector publishes "view changed" as soon as a batch's view writes are done, beside its
 * checkpoint and offset commit (not after them): subscribers and view caches hear sooner. The
 * guarantee that must survive: a notification never names a document the store does not yet hold
 * at the notified position. Each notification is checked against the store when it arrives.
 */
describe('view-changed notifications (real Postgres, Kafka, FerretDB)', () => {
  let p: Pipeline;
  let consumer: Consumer;
  const seen: Seen[] = [];
  beforeAll(async () => {
    p = await startPipeline('vchanged', [inventoryProjection]);
    consumer = testKafka('vchanged').consumer({ groupId: `${p.prefix}check`, maxWaitTimeInMs: 20 });
    await consumer.connect();
    await consumer.subscribe({ topic: viewChangedTopic(p.prefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const change = parseViewChanged(message.value);
        if (change?.projection !== 'inventory') return;
        const [position] = Object.values(change.positions);
        const view = p.db.collection<{ _id: string; v?: number }>(namesFor(change.generation)(INVENTORY_VIEW));
        for (const sku of change.touched[INVENTORY_VIEW] ?? []) {
          const doc = await view.findOne({ _id: sku });
          seen.push({ sku, position: position ?? '', storedVersion: doc?.v });
        }
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await p?.stop();
  });

  it('every notification names only what the store already holds at its position', async () => {
    const stock = inventoryCommands(p.handler);
    await Promise.all(SKUS.map(async (sku) => {
      for (let i = 0; i < RESTOCKS; i++) await stock.restock({ sku, quantity: 1 }, { correlationId: `vc-${sku}-${i}` });
    }));
    await eventually(async () => SKUS.every((sku) => seen.some((s) => s.sku === sku && s.storedVersion === RESTOCKS)));
    // Each SKU's events with their positions: a notification at position P covers every one at or before P.
    const events = (await eventStorePorts(p.pool).readAll(LOG_START, 10_000)).filter((e) => e.envelope.type === 'StockRestocked');
    expect(events).toHaveLength(SKUS.length * RESTOCKS);
    for (const s of seen) {
      const covered = events.filter((e) => e.envelope.streamId === `inventory-${s.sku}` && comparePositionText(e.position, s.position) <= 0);
      const expected = Math.max(0, ...covered.map((e) => e.envelope.streamVersion));
      expect(covered.length).toBeGreaterThan(0);
      expect(s.storedVersion, `${s.sku} missing from the store when its notification at ${s.position} arrived`).toBeDefined();
      expect(s.storedVersion ?? 0).toBeGreaterThanOrEqual(expected);
    }
  });
});
