import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { inventoryDecider, orderDecider, paymentDecider } from '../../command-side/domain/aggregate.ts';
import type { InventoryState } from '../../command-side/domain/inventory/inventory.ts';
import type { OrderState } from '../../command-side/domain/order/order.ts';
import type { PaymentState } from '../../command-side/domain/payment/payment.ts';
import type { EventStore } from '../../command-side/eventStore/eventStore.ts';
import type { CommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { createNotificationWorker, type NotificationWorker } from '../../command-side/notifications/runtime/notificationWorker.ts';
import { createSmtpNotifier, type SmtpNotifier } from '../../command-side/notifications/smtpNotifier.ts';
import { startSmtpSink, type SmtpSink, type StoredMail } from '../../command-side/notifications/smtpSink.ts';
import type { Relay } from '../../command-side/outbox/relay.ts';
import type { PaymentGateway } from '../../command-side/payments/gateway.ts';
import type { ResilientGatewayOptions } from '../../command-side/payments/resilientGateway.ts';
import { createSandboxGateway, type SandboxGateway } from '../../command-side/payments/sandboxGateway.ts';
import { createSagaWorker, sagaTopics, type SagaWorker } from '../../command-side/saga/runtime/sagaWorker.ts';
import { createKafka } from '../../messaging/kafka.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import { randomUUID } from 'node:crypto';
import { freshEventStore, testCtx } from './eventStore.ts';
import { kafkaBrokers, uniqueId } from './isolation.ts';
import { testLogger, testRelay } from './relayHarness.ts';

/** Fast gateway policies for tests: short attempts, quick retries, quick half-open. */
export const fastResilience: Omit<ResilientGatewayOptions, 'onBreakerStateChange' | 'logger'> = {
  timeoutMs: 300,
  attempts: 2,
  initialDelayMs: 20,
  maxDelayMs: 100,
  breakerThreshold: 5,
  halfOpenAfterMs: 1000,
};

/** Relay + saga worker + notification worker + SMTP sink on isolated resources. */
export interface SagaStack {
  pool: pg.Pool;
  store: EventStore;
  handler: CommandHandler;
  prefix: string;
  databaseUrl: string;
  kafka: Kafka;
  admin: Admin;
  relay: Relay;
  sandbox: SandboxGateway;
  saga: SagaWorker | undefined;
  notify: NotificationWorker;
  sink: SmtpSink;
  notifier: SmtpNotifier;
  registry: Registry;
  stop(): Promise<void>;
}

/** Options of {@link startSagaStack}. */
export interface SagaStackOptions {
  timeoutMs?: number;
  sweepIntervalMs?: number;
  resilience?: Omit<ResilientGatewayOptions, 'onBreakerStateChange' | 'logger'>;
  /** The provider behind the resilient wrapper. @default a fresh in-memory sandbox */
  gateway?: PaymentGateway;
  /** Start no saga worker in this process (e.g. it runs in a child process). */
  withoutSaga?: boolean;
  sessionTimeout?: number;
  /** Latency of the in-memory sandbox's calls. @default 0 */
  sandboxLatencyMs?: number;
}

/** Starts the stack; the saga and notification groups have joined when it resolves. */
export async function startSagaStack(tag: string, opts: SagaStackOptions = {}): Promise<SagaStack> {
  const { pool, store, handler } = await freshEventStore(tag, 30);
  const prefix = `${uniqueId(tag)}.`;
  const databaseUrl = (pool.options as { connectionString: string }).connectionString;
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: `${tag}-saga-test` });
  const admin = kafka.admin();
  await admin.connect();
  const registry = new Registry();
  const sandbox = createSandboxGateway({ latencyMs: opts.sandboxLatencyMs ?? 0 });
  const sink = await startSmtpSink({ port: 0 });
  const notifier = createSmtpNotifier({ host: sink.host, port: sink.port, ignoreTLS: true, timeoutMs: 5000 });
  const saga = opts.withoutSaga
    ? undefined
    : createSagaWorker({
        kafka, pool, gateway: opts.gateway ?? sandbox, logger: testLogger, topicPrefix: prefix, partitions: 3, registry,
        timeoutMs: opts.timeoutMs ?? 20_000, sweepIntervalMs: opts.sweepIntervalMs ?? 200, timeoutLeaseMs: 2000,
        resilience: opts.resilience ?? fastResilience, sessionTimeout: opts.sessionTimeout ?? 10_000,
        retry: { initialDelayMs: 50, maxDelayMs: 500 },
      });
  const notify = createNotificationWorker({
    kafka, pool, notifier, logger: testLogger, topicPrefix: prefix, partitions: 3, registry, sessionTimeout: 10_000,
    retry: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  await Promise.all([saga?.start(), notify.start()]);
  const relay = testRelay(databaseUrl, prefix);
  relay.start();
  return {
    pool, store, handler, prefix, databaseUrl, kafka, admin, relay, sandbox, saga, notify, sink, notifier, registry,
    async stop() {
      await relay.stop();
      await Promise.all([saga?.stop(), notify.stop()]);
      notifier.dispose();
      await sink.stop();
      await admin.disconnect();
      await pool.end();
    },
  };
}

/** Polls until `check` returns a value, or throws naming `what`. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The order as stored. */
export async function orderOf(handler: CommandHandler, orderId: string): Promise<OrderState> {
  return (await handler.load(orderDecider, orderId)).state;
}

/** The SKU's stock as stored. */
export async function inventoryOf(handler: CommandHandler, sku: string): Promise<InventoryState> {
  return (await handler.load(inventoryDecider, sku)).state;
}

/** The order's payment aggregate as stored. */
export async function paymentOf(handler: CommandHandler, orderId: string): Promise<PaymentState> {
  return (await handler.load(paymentDecider, orderId)).state;
}

/** Units held by `held` reservations (must equal `reserved`: nothing leaked). */
export function heldUnits(inv: InventoryState): number {
  let n = 0;
  for (const r of inv.reservations.values()) if (r.status === 'held') n += r.quantity;
  return n;
}

/** Waits until the order reaches one of `statuses`; returns it. */
export function waitForStatus(handler: CommandHandler, orderId: string, statuses: OrderState['status'][], timeoutMs = 20_000): Promise<OrderState> {
  return waitUntil(`order ${orderId} ${statuses.join('|')}`, async () => {
    const o = await orderOf(handler, orderId);
    return statuses.includes(o.status) ? o : undefined;
  }, timeoutMs);
}

/** Mail about one order (the subject names it). */
export function mailsFor(sink: SmtpSink, orderId: string): StoredMail[] {
  return sink.messages().filter((m) => m.subject.includes(orderId));
}

/** Distinct Message-IDs among `mails` (a re-send after a crash repeats one). */
export function uniqueMessageIds(mails: StoredMail[]): Set<string> {
  return new Set(mails.map((m) => m.messageId ?? `none:${m.seq}`));
}

/** True when `groupId` has committed every message of `topics` (nothing left to consume). */
export async function caughtUp(admin: Admin, groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of ends) {
      const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
      const end = BigInt(p.high);
      if (end > 0n && BigInt(c) < end) return false;
    }
  }
  return true;
}

/** Waits until the relay published everything and both groups committed it all. */
export async function quiesce(s: SagaStack, timeoutMs = 30_000): Promise<void> {
  const topics = sagaTopics(s.prefix);
  await waitUntil('saga and notify caught up', async () => {
    const { rows } = await s.pool.query<{ n: string }>(
      `select count(*) as n from events e where (e.transaction_id, e.global_position) >
         coalesce((select (transaction_id, global_position) from log_checkpoints where name = 'relay'), ('0'::xid8, 0::bigint))`,
    );
    if (Number(rows[0]?.n) > 0) return false;
    return (await caughtUp(s.admin, `${s.prefix}saga.fulfilment`, topics)) && (await caughtUp(s.admin, `${s.prefix}notify`, [topics[0] as string]));
  }, timeoutMs, 200);
}

/**
 * Places an order through the stack's handler; the customer id is derived from the order id, so
 * mail and views can be matched to it. Returns the order id.
 */
export async function placeOrderFor(s: SagaStack, lines: { sku: string; quantity: number }[], token: string): Promise<string> {
  const orderId = randomUUID();
  await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).placeOrder(
    { orderId, customerId: `cust-${orderId.slice(0, 8)}`, lines, paymentToken: token, shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' } },
    testCtx(),
  );
  return orderId;
}
