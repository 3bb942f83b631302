import { joinConsumerGroup, decodeEvent, publishDeadLetter, keyedBatch, retryUntilDone, StopRequested, type FailureKind, type KeyedMessage, deadLetterTopic, ensureTopics, familyTopic } from '../../../messaging/index.ts';
import { Partitioners, type Consumer, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventEnvelope } from '../../../contracts/index.ts';
import { createEventStore } from '../../eventStore/eventStore.ts';
import { createCommandHandler, type CommandHandler } from '../../handlers/commandHandler.ts';
import type { PaymentGateway } from '../../payments/gateway.ts';
import { createResilientGateway, type BreakerState, type ResilientGatewayOptions } from '../../payments/resilientGateway.ts';
import { createStepExecutor } from './executeStep.ts';
import { createOrderSkus } from './loadContext.ts';
import { classifySagaFailure } from './failures.ts';
import { orderIdOf, sagaLaneKey, sagaReactsTo } from './inputs.ts';
import { breakerGaugeValue, sagaMetrics } from './metrics.ts';
import { reactToEvent, reactToTimeout, type ReactionDeps } from './reaction.ts';
import { createTimeoutSweeper } from './sweeper.ts';
import { timedGateway } from './timedGateway.ts';

/** Options of {@link createSagaWorker}. */
export interface SagaWorkerOptions {
  kafka: Kafka;
  /** The event store's database (events, `saga_timeouts`), migrated. */
  pool: pg.Pool;
  /** The raw provider; the worker wraps it in the resilient gateway (timeout, retry, breaker). */
  gateway: PaymentGateway;
  logger: Logger;
  /** @default '' */
  topicPrefix?: string;
  /** How long a placed order may wait for stock and payment (SAGA_TIMEOUT_MS). @default 30000 */
  timeoutMs?: number;
  /** Pause between timeout sweeps that found nothing. @default 1000 */
  sweepIntervalMs?: number;
  /** Lease of a claimed timeout row. @default 10000 */
  timeoutLeaseMs?: number;
  /** Timeout, retry and breaker settings of the gateway calls (PAYMENT_GATEWAY_TIMEOUT_MS → `timeoutMs`). */
  resilience?: Omit<ResilientGatewayOptions, 'onBreakerStateChange' | 'logger'>;
  /** Where `orderflow_payment_breaker_state` and the saga counters live. @default prom-client's default registry */
  registry?: Registry;
  /** Partitions of topics this worker creates. @default 6 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Kafka session timeout; a killed worker's partitions move after it (resume < 15 s). @default 10000 */
  sessionTimeout?: number;
  /** Partitions handled at once. @default 6 */
  concurrency?: number;
  /**
   * Messages of one partition handled at once, one order's strictly in partition order
   * (SAGA_IN_FLIGHT_PER_PARTITION; see {@link sagaLaneKey}). 1 handles a partition strictly in order. @default 16
   */
  inFlightPerPartition?: number;
  /** Backoff of retried reactions. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** On stop, how long in-flight reactions may run to completion (and be committed) before they are aborted. @default 5000 */
  drainMs?: number;
  /** Whether this worker runs the durable-timeout sweeper (a second worker in one process need not). @default true */
  sweepTimeouts?: boolean;
  /** Handler to use (tests); by default one over `pool` with source `orderflow/saga`. */
  handler?: CommandHandler;
  clock?: () => Date;
}

/** A running saga worker. */
export interface SagaWorker {
  /** `<prefix>saga.fulfilment`. */
  readonly group: string;
  /** Creates topics, joins the group, starts the timeout sweeper; resolves once the group is joined. */
  start(): Promise<void>;
  /** Takes no new work, lets in-flight reactions finish and commits them (aborting what is still running after `drainMs`, to be redelivered), stops the sweeper, leaves the group. */
  stop(): Promise<void>;
  /** The payment gateway circuit breaker's state. */
  breakerState(): BreakerState;
}

/** Consumer group of the fulfilment saga. */
export function sagaGroup(prefix: string): string {
  return `${prefix}saga.fulfilment`;
}

/** The topics the saga consumes. */
export function sagaTopics(prefix: string): string[] {
  return [familyTopic(prefix, 'orders'), familyTopic(prefix, 'inventory'), familyTopic(prefix, 'payments')];
}

/**
 * The fulfilment saga's runtime: one consumer group over the orders, inventory and payments
 * topics, plus the durable-timeout sweeper. For each event it loads the order's context, asks
 * the pure saga (`react`) for steps and carries them out; only then is the offset resolved and
 * committed (and only once every earlier message of its batch is done too: a partition's messages
 * are handled concurrently by order, each order's in partition order, see {@link sagaLaneKey}). Every step is idempotent, so a crash at any point means the event is simply
 * handled again. Transient trouble (gateway down or circuit open, database down, lost races)
 * is retried with backoff for as long as it lasts, without committing: the order waits, and its
 * durable timeout bounds how long before it is rejected cleanly. A message that can never be
 * handled (undecodable, refused by a rule) is dead-lettered to `<prefix>dlq.<group>`.
 */
export function createSagaWorker(opts: SagaWorkerOptions): SagaWorker {
  const prefix = opts.topicPrefix ?? '';
  const group = sagaGroup(prefix);
  const log = opts.logger.child({ component: 'saga', group });
  const metrics = sagaMetrics(opts.registry);
  const clock = opts.clock ?? (() => new Date());
  const handler = opts.handler ?? createCommandHandler({ store: createEventStore(opts.pool), source: 'orderflow/saga', clock });
  const sessionTimeout = opts.sessionTimeout ?? 10_000;
  const heartbeatMs = Math.max(500, Math.floor(sessionTimeout / 10));
  let abort = new AbortController();
  const gateway = createResilientGateway(opts.gateway, {
    ...opts.resilience,
    logger: log,
    onBreakerStateChange: (s) => metrics.breakerState.set(breakerGaugeValue(s)),
  });
  const deps: ReactionDeps = {
    handler,
    executor: createStepExecutor({ handler, gateway: timedGateway(gateway, metrics.gatewaySeconds), pool: opts.pool, signal: () => abort.signal }),
    timeoutMs: opts.timeoutMs ?? 30_000,
    clock,
    orderSkus: createOrderSkus(),
  };
  let stopping = false;
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;

  function retryOptions(heartbeat?: () => Promise<void>) {
    return {
      classify: classifySagaFailure,
      isStopping: () => stopping,
      ...(heartbeat ? { heartbeat } : {}),
      ...opts.retry,
      onRetry: (err: unknown, kind: FailureKind, attempt: number, delayMs: number) => {
        metrics.retries.inc({ kind });
        const level = attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug';
        log[level]({ err: err instanceof Error ? err.message : String(err), kind, attempt, delayMs }, 'saga reaction failed; retrying');
      },
    };
  }

  const sweeper = createTimeoutSweeper({
    pool: opts.pool,
    logger: log,
    clock,
    ...(opts.sweepIntervalMs !== undefined ? { intervalMs: opts.sweepIntervalMs } : {}),
    ...(opts.timeoutLeaseMs !== undefined ? { leaseMs: opts.timeoutLeaseMs } : {}),
    async fire(row) {
      const trace = { correlationId: row.correlationId, causationId: row.causationId, traceparent: row.traceparent };
      try {
        const steps = await reactToTimeout(deps, row.orderId, trace);
        metrics.timeouts.inc({ outcome: 'fired' });
        const rejected = steps.some((s) => s.kind === 'order');
        log[rejected ? 'info' : 'debug']({ orderId: row.orderId, steps: steps.map((s) => s.kind) }, rejected ? 'saga timeout fired: order rejected' : 'stale saga timeout cleared');
      } catch (err) {
        metrics.timeouts.inc({ outcome: 'failed' });
        throw err;
      }
    },
  });

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    if (!producer) throw new Error('saga worker not started');
    await publishDeadLetter(producer, { prefix, group, topic, partition, message, error, attempts });
    metrics.events.inc({ outcome: 'dead_lettered' });
    log.error({ err: error, topic, partition, offset: message.offset, attempts }, 'saga gave up on an event; dead-lettered');
  }

  async function react(topic: string, partition: number, message: KafkaMessage, envelope: EventEnvelope, orderId: string, heartbeat: () => Promise<void>): Promise<void> {
    const end = metrics.reactionSeconds.startTimer({ type: envelope.type });
    const outcome = await retryUntilDone(() => reactToEvent(deps, envelope, orderId), retryOptions(heartbeat)).finally(end);
    if (!outcome.ok) {
      await deadLetter(topic, partition, message, outcome.error, outcome.attempts);
      return;
    }
    metrics.events.inc({ outcome: 'handled' });
    if (outcome.value.length > 0) {
      log.debug({ orderId, type: envelope.type, eventId: envelope.eventId, steps: outcome.value.map((s) => s.kind) }, 'saga reacted');
    }
  }

  /** Decodes a message once, for its lane key and its reaction; an undecodable one becomes its dead-lettering. */
  function prepareMessage(topic: string, partition: number, message: KafkaMessage): KeyedMessage {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEvent(message).envelope;
    } catch (error) {
      return { key: sagaLaneKey(message, null), handle: () => deadLetter(topic, partition, message, error, 1) };
    }
    const orderId = orderIdOf(envelope);
    if (!sagaReactsTo(envelope.type) || orderId === null) {
      return { key: sagaLaneKey(message, null), handle: async () => { metrics.events.inc({ outcome: 'skipped' }); } };
    }
    return { key: sagaLaneKey(message, orderId), handle: (heartbeat) => react(topic, partition, message, envelope, orderId, heartbeat) };
  }

  return {
    group,
    async start() {
      stopping = false;
      abort = new AbortController();
      metrics.breakerState.set(breakerGaugeValue(gateway.breakerState()));
      const topics = sagaTopics(prefix);
      const admin = opts.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [...topics, deadLetterTopic(prefix, group)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      } finally {
        await admin.disconnect();
      }
      producer = opts.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      consumer = await joinConsumerGroup({
        kafka: opts.kafka, groupId: group, topics: topics, sessionTimeout, heartbeatInterval: heartbeatMs, name: 'saga', logger: log,
        run: {
          eachBatchAutoResolve: false,
          autoCommitInterval: 1000,
          partitionsConsumedConcurrently: opts.concurrency ?? 6,
          eachBatch: keyedBatch(prepareMessage, { heartbeatMs, isStopping: () => stopping, maxInFlight: opts.inFlightPerPartition ?? 16 }),
        },
      });
      if (opts.sweepTimeouts ?? true) sweeper.start();
      log.info({ topics }, 'saga worker joined');
    },
    async stop() {
      stopping = true;
      // Drain: the batch loop starts nothing new and commits what finished; a reaction still
      // running after the grace is aborted (uncommitted, so redelivered; its steps are idempotent).
      const grace = setTimeout(() => abort.abort(new StopRequested()), opts.drainMs ?? 5000);
      try {
        await sweeper.stop();
        await consumer?.disconnect();
      } finally {
        clearTimeout(grace);
        abort.abort(new StopRequested());
      }
      await producer?.disconnect();
      consumer = undefined;
      producer = undefined;
    },
    breakerState: () => gateway.breakerState(),
  };
}
