import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { messageIdFor } from '../../../command-side/notifications/smtpNotifier.ts';
import { startSmtpSink, type SmtpSink } from '../../../command-side/notifications/smtpSink.ts';
import type { Relay } from '../../../command-side/outbox/relay.ts';
import { newEvent, orderLifeFor } from '../../support/bulkOrders.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { startPrivateBroker, type PrivateBroker } from '../../support/extraBroker.ts';
import { uniqueId } from '../../support/isolation.ts';
import { testRelay } from '../../support/relayHarness.ts';
import { spawnRole, type RoleProcess } from '../../support/roleProcess.ts';
import { waitUntil } from '../../support/saga.ts';

const NOTIFIABLE = new Set(['OrderConfirmed', 'OrderRejected', 'OrderShipped', 'OrderCancelled']);

/** Appends the whole lives of orders `from … from+count-1`; returns the Message-IDs their transitions must be mailed with. */
async function appendOrders(store: EventStore, from: number, count: number): Promise<Set<string>> {
  const expected = new Set<string>();
  const at = new Date();
  for (let i = from; i < from + count; i++) {
    const life = orderLifeFor(i, `c-${i % 5}`, at);
    const r = await store.append(`order-seed-${i}`, 0, life.map((e) => newEvent(e, at.toISOString())));
    if (!r.ok) throw new Error(`append failed: ${JSON.stringify(r)}`);
    for (const e of life) if (NOTIFIABLE.has(e.type)) expected.add(messageIdFor(`${e.type}:seed-${i}`));
  }
  return expected;
}

const delivered = (sink: SmtpSink) => new Set(sink.messages().flatMap((m) => (m.messageId ? [m.messageId] : [])));
const missing = (sink: SmtpSink, expected: Set<string>) => [...expected].filter((id) => !delivered(sink).has(id));

describe('the notify role as a real child process across a SIGKILL of the real Kafka broker (private broker, restarted)', () => {
  let broker: PrivateBroker;
  let pool: pg.Pool;
  let store: EventStore;
  let relay: Relay;
  let sink: SmtpSink;
  let child: RoleProcess | undefined;
  beforeAll(async () => {
    broker = await startPrivateBroker('notifykill');
    ({ pool, store } = await freshEventStore('notifykafka'));
    sink = await startSmtpSink({ dedupeByMessageId: true, maxMessages: 10_000 });
  }, 180_000);
  afterAll(async () => {
    await child?.kill();
    await relay?.stop();
    await sink?.stop();
    await pool?.end();
    await broker?.dispose();
  }, 60_000);

  it('mails the transitions of orders stored after the broker came back, without a restart of the process', async () => {
    const prefix = `${uniqueId('nk')}.`;
    const databaseUrl = (pool.options as { connectionString: string }).connectionString;
    relay = testRelay(databaseUrl, prefix, { brokers: broker.brokers });
    relay.start();
    const before = await appendOrders(store, 0, 10);
    child = spawnRole({
      args: ['notify'], databaseUrl, topicPrefix: prefix, readyLine: 'notification worker joined', keep: /Restarting the consumer in|consumer crashed; restarting|former group member fenced/,
      env: { KAFKA_BROKERS: broker.brokers.join(','), SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), ORDERFLOW_SMTP_SINK: 'off', NOTIFY_FROM: 'orders@orderflow.test' },
    });
    await child.ready();
    await waitUntil('mail before the outage', async () => missing(sink, before).length === 0, 90_000, 250);

    await broker.kill();
    // Orders keep coming while the broker is down (the relay holds them in the outbox).
    const during = await appendOrders(store, 100, 5);
    // Down long enough that the consumer gives up its retries and kafkajs restarts it (a new member).
    await new Promise((r) => setTimeout(r, 20_000));
    await broker.start();
    const after = await appendOrders(store, 200, 5);
    const expected = new Set([...during, ...after]);
    await waitUntil('mail after the broker\'s return', async () => missing(sink, expected).length === 0, 120_000, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${missing(sink, expected).length} of ${expected.size} missing\n${child?.tail(40).join('\n') ?? ''}`);
    });
    expect(child.exited(), 'the notify process recovered in place').toBe(false);
    // kafkajs' default backoff let a consumer sleep 10 s past the broker's return ("Restarting the
    // consumer in 10294ms"); the clients' retry is capped at 2 s (messaging/kafka.ts).
    const restartWaits = child.kept.flatMap((l) => /Restarting the consumer in (\d+)ms/.exec(l)?.[1] ?? []).map(Number);
    expect(restartWaits.filter((ms) => !(ms <= 2_000))).toEqual([]);
    // A restart is a new member; the member it was before its first crash (later crashes, before any
    // rejoin, had none) is fenced rather than left to hold the rebalance for its session.
    const crashes = child.kept.filter((l) => l.includes('consumer crashed; restarting')).length;
    const fenced = child.kept.flatMap((l) => (l.includes('former group member fenced') ? [(JSON.parse(l) as { outcome?: string }).outcome] : []));
    expect(crashes, child.kept.join('\n')).toBeGreaterThan(0);
    expect(fenced, child.kept.join('\n')).toEqual(['removed']);
    expect(missing(sink, new Set([...before, ...expected]))).toEqual([]);
    const stopped = await child.stop();
    child = undefined;
    expect(stopped.code).toBe(0);
  }, 300_000);
});
