import { joinConsumerGroup, decodeEvent, publishDeadLetter, inOrderBatch, retryUntilDone, type FailureKind, deadLetterTopic, ensureTopics, familyTopic } from '../../../messaging/index.ts';
import { Partitioners, type Consumer, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { eventOf, type EventEnvelope } from '../../../contracts/index.ts';
import { orderDecider } from '../../domain/aggregate.ts';
import { createEventStore } from '../../eventStore/eventStore.ts';
import { createCommandHandler, type CommandHandler } from '../../handlers/commandHandler.ts';
import type { Notifier } from '../notifier.ts';
import { messageIdFor } from '../smtpNotifier.ts';
import { customerEmail, isNotifiable, notificationKey, renderNotification, type EmailLookup } from '../templates.ts';
import { classifyNotificationFailure, OrderNotFoundError } from './failures.ts';
import { notificationMetrics } from './metrics.ts';
import { findSent } from './sql/findSent.ts';
import { recordSent } from './sql/recordSent.ts';

/** Options of {@link createNotificationWorker}. */
export interface NotificationWorkerOptions {
  kafka: Kafka;
  /** The event store's database (orders are read from it; `notifications_sent` lives there). */
  pool: pg.Pool;
  notifier: Notifier;
  logger: Logger;
  /** @default '' */
  topicPrefix?: string;
  /** Customer addresses; unknown customers get `<customerId>@customers.orderflow.test`. */
  emailLookup?: EmailLookup;
  /** Right-hand side of Message-IDs, as the notifier writes them (recorded for operators). @default "orderflow.test" */
  messageIdDomain?: string;
  registry?: Registry;
  /** @default 6 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Kafka session timeout: a SIGKILLed member's partitions move after it (resume < 15 s). @default 10000 */
  sessionTimeout?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  handler?: CommandHandler;
}

/** A running notification consumer. */
export interface NotificationWorker {
  /** `<prefix>notify`. */
  readonly group: string;
  /** Joins the group; resolves once joined. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Consumer group of the notification consumer. */
export function notifyGroup(prefix: string): string {
  return `${prefix}notify`;
}

/**
 * Tells customers about their orders: on `OrderConfirmed`, `OrderRejected`, `OrderShipped` and
 * `OrderCancelled` (from `<prefix>orders.events`) it loads the order, renders the message and
 * sends it through the notifier, then commits the offset.
 *
 * One message per order transition, even with redelivery: the key `<EventType>:<orderId>` is
 * looked up in `notifications_sent` first, the message is sent, and only then is the key
 * recorded. Recording before sending would be at-most-once: a crash between the two would lose
 * the mail for good. This order is at-least-once instead, and the one duplicate it can produce
 * (a crash after the send, before the record) carries the same `Message-ID` (derived from the
 * key), which mail clients and deduplicating relays drop. Transport trouble is retried without
 * committing until it passes; a permanent refusal (5xx) is dead-lettered to `<prefix>dlq.<group>`.
 */
export function createNotificationWorker(opts: NotificationWorkerOptions): NotificationWorker {
  const prefix = opts.topicPrefix ?? '';
  const group = notifyGroup(prefix);
  const topic = familyTopic(prefix, 'orders');
  const log = opts.logger.child({ component: 'notify', group });
  const metrics = notificationMetrics(opts.registry);
  const handler = opts.handler ?? createCommandHandler({ store: createEventStore(opts.pool), source: 'orderflow/notify' });
  const domain = opts.messageIdDomain ?? 'orderflow.test';
  const sessionTimeout = opts.sessionTimeout ?? 10_000;
  const heartbeatMs = Math.max(500, Math.floor(sessionTimeout / 10));
  let stopping = false;
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;

  /** Sends the transition's message unless it was sent; returns what happened. */
  async function notify(envelope: EventEnvelope): Promise<'sent' | 'duplicate' | 'ignored'> {
    const event = eventOf(envelope);
    if (!isNotifiable(event)) return 'ignored';
    const key = notificationKey(event);
    if ((await findSent(opts.pool, key)).sent) return 'duplicate';
    const { orderId } = event.data;
    const { state: order } = await handler.load(orderDecider, orderId);
    if (order.status === 'none') throw new OrderNotFoundError(orderId);
    const summary = { orderId, customerId: order.customerId, currency: order.currency, totalMinor: order.totalMinor };
    const message = renderNotification(event, summary, customerEmail(order.customerId, opts.emailLookup));
    const messageId = messageIdFor(message.idempotencyKey, domain);
    await opts.notifier.send(message);
    // A crash here re-sends on redelivery, with the same Message-ID (see above).
    await recordSent(opts.pool, { key, eventId: envelope.eventId, orderId, eventType: event.type, messageId });
    log.info({ orderId, type: event.type, messageId }, 'customer notified');
    return 'sent';
  }

  async function handleMessage(batchTopic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEvent(message).envelope;
    } catch (error) {
      await deadLetter(batchTopic, partition, message, error, 1);
      return;
    }
    const outcome = await retryUntilDone(() => notify(envelope), {
      classify: classifyNotificationFailure,
      isStopping: () => stopping,
      heartbeat,
      ...opts.retry,
      onRetry: (err: unknown, kind: FailureKind, attempt: number, delayMs: number) => {
        metrics.retries.inc({ kind });
        log.warn({ err: err instanceof Error ? err.message : String(err), kind, attempt, delayMs, eventId: envelope.eventId }, 'notification failed; retrying');
      },
    });
    if (!outcome.ok) {
      await deadLetter(batchTopic, partition, message, outcome.error, outcome.attempts);
      return;
    }
    if (outcome.value !== 'ignored') metrics.notifications.inc({ outcome: outcome.value });
  }

  async function deadLetter(batchTopic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    if (!producer) throw new Error('notification worker not started');
    await publishDeadLetter(producer, { prefix, group, topic: batchTopic, partition, message, error, attempts });
    metrics.notifications.inc({ outcome: 'dead_lettered' });
    log.error({ err: error, offset: message.offset, partition }, 'notification given up; dead-lettered');
  }

  return {
    group,
    async start() {
      stopping = false;
      const admin = opts.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [topic, deadLetterTopic(prefix, group)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      } finally {
        await admin.disconnect();
      }
      producer = opts.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      consumer = await joinConsumerGroup({
        kafka: opts.kafka, groupId: group, topics: [topic], sessionTimeout, heartbeatInterval: heartbeatMs, name: 'notification', logger: log,
        run: {
          eachBatchAutoResolve: false,
          autoCommitInterval: 1000,
          partitionsConsumedConcurrently: 3,
          eachBatch: inOrderBatch(handleMessage, { heartbeatMs, isStopping: () => stopping }),
        },
      });
      log.info({ topic }, 'notification worker joined');
    },
    async stop() {
      stopping = true;
      await consumer?.disconnect();
      await producer?.disconnect();
      consumer = undefined;
      producer = undefined;
    },
  };
}
