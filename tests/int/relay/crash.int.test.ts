import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { ensureTopics, eventTopics } from '../../../messaging/topics.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { kafkaBrokers, testKafka, uniqueId } from '../../support/isolation.ts';
import { collect, deliveryReport, type Collector } from '../../support/kafkaCollector.ts';
import { restockEvent } from '../../support/relayHarness.ts';

const STREAMS = 200;
const EVENTS = 20_000;
const PER_APPEND = 10;
const MIN_KILLS = 10;

describe('relay crash test: SIGKILLed repeatedly while 20,000 events are appended (real processes, Postgres, Kafka)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let collector: Collector;
  let relay: ChildProcess | undefined;
  const prefix = `${uniqueId('crash')}.`;

  function startRelay(databaseUrl: string): ChildProcess {
    return spawn(process.execPath, [resolve('bin/orderflow.mjs'), 'relay'], {
      env: { ...process.env, ORDERFLOW_ENV: 'test', DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: prefix, ORDERFLOW_TOPIC_PARTITIONS: '3', LOG_LEVEL: 'fatal' },
      stdio: 'ignore',
    });
  }
  const kill = (p: ChildProcess | undefined) => new Promise<void>((done) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return done();
    p.once('exit', () => done());
    p.kill('SIGKILL');
  });

  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('crash', 12));
    const admin = testKafka('crash-admin').admin();
    await admin.connect();
    await ensureTopics(admin, eventTopics(prefix), 3, 1);
    await admin.disconnect();
    collector = await collect(testKafka('crash'), [`${prefix}inventory.events`]);
  });
  afterAll(async () => {
    await kill(relay);
    await collector?.stop();
    await pool?.end();
  });

  it('every committed event reaches Kafka at least once, first occurrences in version order per stream', async () => {
    const url = (pool.options as { connectionString: string }).connectionString;
    const expected = new Map<string, number>();
    relay = startRelay(url);

    let writing = true;
    const writer = (async () => {
      const streams = Array.from({ length: STREAMS }, (_, i) => `inventory-CRASH${i}`);
      let appended = 0;
      while (appended < EVENTS) {
        await Promise.all(Array.from({ length: 8 }, async (_, w) => {
          const stream = streams[(appended / PER_APPEND + w) % STREAMS] ?? 'inventory-CRASH0';
          const v = expected.get(stream) ?? 0;
          expected.set(stream, v + PER_APPEND);
          const r = await store.append(stream, v, Array.from({ length: PER_APPEND }, () => restockEvent(stream)));
          if (!r.ok) throw new Error(`append failed on ${stream}`);
        }));
        appended += 8 * PER_APPEND;
      }
      writing = false;
    })();

    let kills = 0;
    while (writing || kills < MIN_KILLS) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 1200));
      await kill(relay);
      kills++;
      relay = startRelay(url);
    }
    await writer;
    await collector.waitFor((m) => deliveryReport(m, expected).missing === 0, 120_000);
    await kill(relay);

    const report = deliveryReport(collector.messages, expected);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    console.log(`relay crash test: ${total} events, ${kills} SIGKILLs, ${collector.messages.length} messages received, ${report.duplicates} duplicates, ${report.missing} missing`);
    expect(total).toBe(EVENTS);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(report.missing).toBe(0);
    for (const s of report.outOfOrder.slice(0, 2)) {
      const seen = collector.messages.filter((m) => m.streamId === s).map((m) => `${m.streamVersion}@${m.partition}/${m.offset}/${m.headers.position}`);
      console.log(s, seen.join(' '));
    }
    expect(report.outOfOrder).toEqual([]);
  }, 300_000);
});
