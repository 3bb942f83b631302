import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { backlogAfter, readCheckpoint } from '../../../command-side/eventStore/sql/logCheckpoint.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { startPrivateBroker } from '../../support/extraBroker.ts';
import { uniqueId } from '../../support/isolation.ts';
import { collect, deliveryReport } from '../../support/kafkaCollector.ts';
import { restockEvent, testRelay } from '../../support/relayHarness.ts';

describe('relay through a 10 s broker outage (real Postgres + a private Kafka broker)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let broker: Awaited<ReturnType<typeof startPrivateBroker>>;
  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('outage'));
    broker = await startPrivateBroker('outage');
  }, 120_000);
  afterAll(async () => {
    await broker?.dispose();
    await pool.end();
  });

  it('appends keep succeeding while the broker is down, the backlog grows, then drains with nothing lost', async () => {
    const url = (pool.options as { connectionString: string }).connectionString;
    const prefix = `${uniqueId('o')}.`;
    const relay = testRelay(url, prefix, { brokers: broker.brokers });
    relay.start();
    const expected = new Map<string, number>();
    const append = async (stream: string) => {
      const v = expected.get(stream) ?? 0;
      const r = await store.append(stream, v, [restockEvent(stream)]);
      expect(r.ok).toBe(true);
      expected.set(stream, v + 1);
    };
    for (let i = 0; i < 50; i++) await append(`inventory-O${i % 10}`);
    const deadline = Date.now() + 30_000;
    while (relay.status().publishedThisProcess < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(relay.status().publishedThisProcess).toBe(50);

    await broker.stop();
    const downAt = Date.now();
    let appendedWhileDown = 0;
    while (Date.now() - downAt < 10_000) {
      await append(`inventory-O${appendedWhileDown % 10}`);
      appendedWhileDown++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const backlog = await backlogAfter(pool, await readCheckpoint(pool, 'relay'));
    // Each append above asserted ok; the count only shows the outage was really written through (a loaded box did 73 in 10 s).
    expect(appendedWhileDown).toBeGreaterThan(20);
    expect(backlog.rows).toBe(appendedWhileDown);

    await broker.start();
    const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const collector = await collect(kafka, [`${prefix}inventory.events`]);
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 60_000);
    await relay.stop();
    await collector.stop();
    const report = deliveryReport(collector.messages, expected);
    expect(report).toMatchObject({ missing: 0, outOfOrder: [] });
    expect((await backlogAfter(pool, await readCheckpoint(pool, 'relay'))).rows).toBe(0);
  }, 180_000);
});
