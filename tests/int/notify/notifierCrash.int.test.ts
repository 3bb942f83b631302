import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { NotificationError, type Notifier } from '../../../command-side/notifications/notifier.ts';
import { createNotificationWorker } from '../../../command-side/notifications/runtime/notificationWorker.ts';
import { createSmtpNotifier, messageIdFor } from '../../../command-side/notifications/smtpNotifier.ts';
import { startSmtpSink, type SmtpSink } from '../../../command-side/notifications/smtpSink.ts';
import type { Relay } from '../../../command-side/outbox/relay.ts';
import { createKafka } from '../../../messaging/kafka.ts';
import { seedOrderHistory } from '../../support/bulkOrders.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { kafkaBrokers, uniqueId } from '../../support/isolation.ts';
import { testLogger, testRelay } from '../../support/relayHarness.ts';
import { spawnRole, type RoleProcess } from '../../support/roleProcess.ts';
import { waitUntil } from '../../support/saga.ts';

const NOTIFIABLE = ['OrderConfirmed', 'OrderRejected', 'OrderShipped', 'OrderCancelled'];

/** An isolated event store with a seeded order history, relayed to its own topics. */
interface World {
  pool: pg.Pool;
  databaseUrl: string;
  prefix: string;
  relay: Relay;
  /** The Message-ID of every order transition in the store: the mails expected, once each. */
  expected: Set<string>;
}

async function world(tag: string, orders: number): Promise<World> {
  const { pool, store } = await freshEventStore(tag);
  // orderLifeFor: every order is confirmed or rejected, some also shipped or cancelled (~1.35 transitions per order).
  await seedOrderHistory(store, { events: orders * 4, customers: 50 });
  const { rows } = await pool.query<{ key: string }>(`select type || ':' || (data->>'orderId') as key from events where type = any($1)`, [NOTIFIABLE]);
  const prefix = `${uniqueId(tag)}.`;
  const databaseUrl = (pool.options as { connectionString: string }).connectionString;
  const relay = testRelay(databaseUrl, prefix);
  relay.start();
  return { pool, databaseUrl, prefix, relay, expected: new Set(rows.map((r) => messageIdFor(r.key))) };
}

const recorded = async (w: World) => Number((await w.pool.query<{ n: string }>('select count(*) as n from notifications_sent')).rows[0]?.n);

/** Exactly one delivered mail per transition at the deduplicating sink, and one record each. */
async function expectExactlyOncePerTransition(w: World, sink: SmtpSink): Promise<void> {
  const delivered = sink.messages().map((m) => m.messageId ?? '');
  expect(delivered.length).toBe(w.expected.size);
  expect(new Set(delivered)).toEqual(w.expected);
  expect(await recorded(w)).toBe(w.expected.size);
}

describe('notifier crashes between sending a mail and recording it: exactly one delivered mail per transition (sink dedupes by Message-ID)', () => {
  const worlds: World[] = [];
  const sinks: SmtpSink[] = [];
  let child: RoleProcess | undefined;
  afterAll(async () => {
    await child?.kill();
    for (const w of worlds) {
      await w.relay.stop();
      await w.pool.end();
    }
    for (const s of sinks) await s.stop();
  });

  describe('200 crashes in one run (in process: the crash point injected right after the SMTP server accepted the mail)', () => {
    let w: World;
    beforeAll(async () => {
      w = await world('notifycrash', 220);
      worlds.push(w);
    });

    it('every transition is delivered once; each crash costs one re-send with the same Message-ID, dropped by the sink', async () => {
      const CRASHES = 200;
      expect(w.expected.size).toBeGreaterThanOrEqual(CRASHES);
      const sink = await startSmtpSink({ dedupeByMessageId: true, maxMessages: 10_000 });
      sinks.push(sink);
      const smtp = createSmtpNotifier({ host: sink.host, port: sink.port, ignoreTLS: true });
      // The "process" dies after the mail is accepted and before it is recorded: nothing after the
      // send runs, and the event is handled again from scratch (lookup, load, render, send).
      const crashedOnce = new Set<string>();
      let crashes = 0;
      const crashingNotifier: Notifier = {
        async send(msg) {
          await smtp.send(msg);
          if (crashes < CRASHES && !crashedOnce.has(msg.idempotencyKey)) {
            crashedOnce.add(msg.idempotencyKey);
            crashes++;
            throw new NotificationError('simulated crash between send and record', true);
          }
        },
      };
      const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'notify-crash' });
      const worker = createNotificationWorker({ kafka, pool: w.pool, notifier: crashingNotifier, logger: testLogger, topicPrefix: w.prefix, partitions: 3, retry: { initialDelayMs: 5, maxDelayMs: 20 } });
      await worker.start();
      try {
        await waitUntil('every transition recorded', async () => (await recorded(w)) >= w.expected.size, 90_000, 200);
      } finally {
        await worker.stop();
        smtp.dispose();
      }
      expect(crashes).toBe(CRASHES);
      await expectExactlyOncePerTransition(w, sink);
      expect(sink.duplicates()).toBe(CRASHES);
    }, 120_000);
  });

  describe('the notify role as a real child process, SIGKILLed after the sink stored a mail and before its 250 reached the notifier', () => {
    let w: World;
    beforeAll(async () => {
      w = await world('notifykill', 20);
      worlds.push(w);
    });

    it('after each kill the restarted process re-sends the unrecorded mail with the same Message-ID; nothing is lost or delivered twice', async () => {
      const KILLS = 2;
      let kills = 0;
      const start = () => spawnRole({
        args: ['notify'], databaseUrl: w.databaseUrl, topicPrefix: w.prefix, readyLine: 'notification worker joined',
        // The broker's minimum session: a killed member's partitions move after 6 s.
        env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sinkPort), ORDERFLOW_SMTP_SINK: 'off', NOTIFY_FROM: 'orders@orderflow.test', NOTIFY_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info' },
      });
      let sinkPort = 0;
      let restarting: Promise<void> = Promise.resolve();
      const sink = await startSmtpSink({
        dedupeByMessageId: true,
        maxMessages: 10_000,
        beforeAck: async (_mail, duplicate) => {
          if (duplicate || kills >= KILLS || !child) return;
          kills++;
          const dead = child;
          child = undefined;
          await dead.kill(); // gone before the 250: the mail is delivered, the notifier never knew
          restarting = restarting.then(async () => {
            child = start();
            await child.ready();
          });
        },
      });
      sinks.push(sink);
      sinkPort = sink.port;
      child = start();
      await child.ready();
      await waitUntil('every transition recorded', async () => kills >= KILLS && (await recorded(w)) >= w.expected.size, 150_000, 250);
      await restarting;
      const last = child as RoleProcess | undefined;
      const exit = await last?.stop();
      child = undefined;
      expect(exit?.code).toBe(0);
      expect(kills).toBe(KILLS);
      await expectExactlyOncePerTransition(w, sink);
      // Each killed process had at least the mail it was killed on sent and not recorded.
      expect(sink.duplicates()).toBeGreaterThanOrEqual(KILLS);
    }, 200_000);
  });
});
