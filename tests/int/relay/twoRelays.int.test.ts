import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { ensureTopics, eventTopics } from '../../../messaging/topics.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { testKafka, uniqueId } from '../../support/isolation.ts';
import { collect, deliveryReport, type Collector } from '../../support/kafkaCollector.ts';
import { restockEvent } from '../../support/relayHarness.ts';
import { freeTcpPort, metricSum, spawnRole, type RoleProcess } from '../../support/roleProcess.ts';
import { waitUntil } from '../../support/saga.ts';

const STREAMS = 100;
const PER_APPEND = 5;
const KILLS = 10;
const BATCH = 200;

/**
 * Two relay processes (one active by advisory lock, one standing by); the ACTIVE one — found by its
 * `orderflow_relay_active` gauge on /metrics — is SIGKILLed 10 times while events are appended, and
 * restarted each time. Zero lost, zero reordered, duplicates counted and bounded by kills × batch.
 */
describe('two relay processes, the active one SIGKILLed 10 times', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let collector: Collector;
  const prefix = `${uniqueId('tworelays')}.`;
  const relays: RoleProcess[] = [];

  async function spawnRelay(databaseUrl: string): Promise<RoleProcess> {
    const p = spawnRole({ args: ['relay'], databaseUrl, topicPrefix: prefix, opsPort: await freeTcpPort(), env: { ORDERFLOW_RELAY_BATCH_SIZE: String(BATCH), LOG_LEVEL: 'warn' } });
    relays.push(p);
    return p;
  }
  const isActive = async (p: RoleProcess) => !p.exited() && metricSum((await p.ops('/metrics').catch(() => ({ text: '' }))).text, 'orderflow_relay_active') === 1;

  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('tworelays', 12));
    const admin = testKafka('tworelays-admin').admin();
    await admin.connect();
    await ensureTopics(admin, eventTopics(prefix), 3, 1);
    await admin.disconnect();
    collector = await collect(testKafka('tworelays'), [`${prefix}inventory.events`]);
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.kill()));
    await collector?.stop();
    await pool?.end();
  });

  it('zero lost, zero reordered, duplicates ≤ kills × batch size', async () => {
    const url = (pool.options as { connectionString: string }).connectionString;
    const expected = new Map<string, number>();
    let live = [await spawnRelay(url), await spawnRelay(url)];
    await Promise.all(live.map((p) => p.ready(120_000)));

    let writing = true;
    const writer = (async () => {
      let round = 0;
      while (writing) {
        await Promise.all(Array.from({ length: 4 }, async (_, w) => {
          const stream = `inventory-TWO${(round * 4 + w) % STREAMS}`;
          const v = expected.get(stream) ?? 0;
          expected.set(stream, v + PER_APPEND);
          const r = await store.append(stream, v, Array.from({ length: PER_APPEND }, () => restockEvent(stream)));
          if (!r.ok) throw new Error(`append failed on ${stream}`);
        }));
        round++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const takeovers: number[] = [];
    for (let k = 1; k <= KILLS; k++) {
      const active = await waitUntil('an active relay', async () => {
        for (const p of live) if (await isActive(p)) return p;
        return undefined;
      }, 120_000, 100);
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700)); // let it publish mid-batch
      const killedAt = Date.now();
      await active.kill();
      const standby = live.find((p) => p !== active) as RoleProcess;
      await waitUntil('the standby takes over', () => isActive(standby), 60_000, 50);
      takeovers.push(Date.now() - killedAt);
      const replacement = await spawnRelay(url);
      live = [standby, replacement];
      await replacement.ready(120_000);
    }
    writing = false;
    await writer;
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 120_000);
    const report = deliveryReport(collector.messages, expected);
    console.log(`two relays: ${total} events, ${KILLS} SIGKILLs of the active relay, ${collector.messages.length} messages, ${report.duplicates} duplicates (bound ${KILLS * BATCH}), takeover ms ${takeovers.join(',')}`);
    expect(report.missing).toBe(0);
    expect(report.outOfOrder).toEqual([]);
    expect(report.duplicates).toBeLessThanOrEqual(KILLS * BATCH);
  }, 900_000);
});
