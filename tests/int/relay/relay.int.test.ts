import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { appendToStream } from '../../../command-side/eventStore/sql/appendToStream.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { testKafka, uniqueId } from '../../support/isolation.ts';
import { collect, deliveryReport, type Collector } from '../../support/kafkaCollector.ts';
import { restockEvent, testRelay } from '../../support/relayHarness.ts';
import { waitUntil } from '../../support/saga.ts';

describe('outbox relay (real Postgres + Kafka)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let url: string;
  const prefix = `${uniqueId('r')}.`;
  const topic = `${prefix}inventory.events`;
  let collector: Collector;
  const expected = new Map<string, number>();

  async function append(stream: string, n: number) {
    const from = expected.get(stream) ?? 0;
    const r = await store.append(stream, from, Array.from({ length: n }, () => restockEvent(stream)));
    if (!r.ok) throw new Error('append failed');
    expected.set(stream, from + n);
  }

  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('relay'));
    url = (pool.options as { connectionString: string }).connectionString;
  });
  afterAll(async () => {
    await collector?.stop();
    await pool.end();
  });

  it('publishes with key = stream id and the full header set, in order per stream', async () => {
    const relay = testRelay(url, prefix);
    relay.start();
    collector = await collect(testKafka('c'), [topic]);
    for (let i = 0; i < 20; i++) await append(`inventory-S${i % 5}`, 3);
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 20_000);
    await relay.stop();
    const report = deliveryReport(collector.messages, expected);
    expect(report).toMatchObject({ missing: 0, outOfOrder: [] });
    const first = collector.messages[0];
    expect(first?.key).toBe(first?.streamId);
    expect(first?.headers).toMatchObject({ type: 'StockRestocked', version: '1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(first?.headers.position).toMatch(/^\d+\.\d+$/);
    // a stream always lands in one partition
    for (const s of expected.keys()) expect(new Set(collector.messages.filter((m) => m.streamId === s).map((m) => m.partition)).size).toBe(1);
  });

  it('publishes a late-committing transaction after it commits, never skipping it', async () => {
    const relay = testRelay(url, prefix);
    relay.start();
    const late = await pool.connect();
    await late.query('begin');
    await appendToStream(late, 'inventory-LATE', 0, [restockEvent('LATE')]);
    await append('inventory-AFTER', 2);
    await collector.waitFor((m) => m.some((x) => x.streamId === 'inventory-AFTER' && x.streamVersion === 2) || m.some((x) => x.streamId === 'inventory-LATE'), 3_000).catch(() => undefined);
    // While LATE is open, nothing after it may be published (its snapshot xmin holds the relay back).
    expect(collector.messages.some((m) => m.streamId === 'inventory-LATE')).toBe(false);
    expect(collector.messages.some((m) => m.streamId === 'inventory-AFTER')).toBe(false);
    await late.query('commit');
    late.release();
    expected.set('inventory-LATE', 1);
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 20_000);
    await relay.stop();
    const late1 = collector.messages.findIndex((m) => m.streamId === 'inventory-LATE');
    const after1 = collector.messages.findIndex((m) => m.streamId === 'inventory-AFTER');
    expect(late1).toBeGreaterThanOrEqual(0);
    expect(after1).toBeGreaterThanOrEqual(0);
  });

  it('two relays started together: one publishes, nothing lost or out of order, and the standby takes over', async () => {
    const a = testRelay(url, prefix);
    const b = testRelay(url, prefix);
    a.start();
    b.start();
    const writeSome = (tag: string) => Promise.all(Array.from({ length: 10 }, (_, s) => (async () => {
      for (let i = 0; i < 10; i++) await append(`inventory-TWO${s}`, 2);
    })())).then(() => tag);
    await writeSome('before');
    // On a loaded box the first lock attempt can take a while; one of the two must win it.
    await waitUntil('one relay active', async () => a.status().role === 'active' || b.status().role === 'active', 30_000, 50);
    const roles = [a.status().role, b.status().role].sort();
    expect(roles).toEqual(['active', 'standby']);
    // Stop whichever is active, then keep writing: the standby must take over and publish the rest.
    const [active, standby] = a.status().role === 'active' ? [a, b] : [b, a];
    await active.stop();
    await writeSome('after');
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 30_000);
    expect(standby.status().role).toBe('active');
    await standby.stop();
    expect(deliveryReport(collector.messages, expected)).toMatchObject({ missing: 0, outOfOrder: [] });
  });
});
