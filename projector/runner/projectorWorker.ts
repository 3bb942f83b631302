import { trace } from '@opentelemetry/api';
import type { Batch, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { familyOf } from '../../contracts/index.ts';
import { decodeEvent, joinConsumerGroup, deadLetterTopic, ensureTopics, familyTopic, viewChangedTopic } from '../../messaging/index.ts';
import { applyOps, type TouchedKeys } from '../mongo/applyOps.ts';
import { createAliasCache, ensureIndexes, namesFor } from '../mongo/generations.ts';
import type { Projection, WriteOp } from '../projections/index.ts';
import { saveCheckpoint } from './checkpoints.ts';
import { deadLetter } from './deadLetters.ts';
import { projectorMetrics } from './metrics.ts';
import { publishViewChanged } from './viewChanged.ts';

/** Options of {@link createProjectorWorker}. */
export interface ProjectorWorkerOptions {
  kafka: Kafka;
  db: Db;
  projection: Projection;
  logger: Logger;
  /** Shared producer for dead letters and "view changed" notifications. */
  producer: Producer;
  /** @default '' */
  topicPrefix?: string;
  /** Tries per event before it is dead-lettered. @default 5 */
  maxAttempts?: number;
  /** First retry delay; doubles each try. @default 50 */
  backoffMs?: number;
  /** @default 6 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Most events applied and committed as one unit inside a fetched batch (bounds a graceful stop). @default 100 */
  chunkSize?: number;
  /** Kafka session timeout: a SIGKILLed member's partitions move after it (resume < 15 s). @default 10000 */
  sessionTimeout?: number;
  registry?: Registry;
}

/** Consumer group of a projection: one per projection, so each has its own offsets, lag, DLQ and rebuild. */
export function projectorGroup(prefix: string, projection: Projection): string {
  return `${prefix}projector.${projection.name}`;
}

/** The topics a projection must consume: the families of the event types it handles. */
export function projectionTopics(prefix: string, projection: Projection): string[] {
  return [...new Set(projection.handles.map((t) => familyTopic(prefix, familyOf(t))))];
}

interface Decoded {
  message: KafkaMessage;
  ops?: WriteOp[];
  error?: unknown;
  position: string;
  occurredAt?: number;
}

/**
 * Runs one projection as a Kafka consumer group: decode (upcasting) → pure `project` → idempotent
 * Mongo writes → checkpoint → offset commit → "view changed" notification. Offsets move only after the
 * write. A failing event is retried with exponential backoff, then dead-lettered, and the partition moves on.
 */
export function createProjectorWorker(opts: ProjectorWorkerOptions) {
  const { projection, db, producer } = opts;
  const prefix = opts.topicPrefix ?? '';
  const group = projectorGroup(prefix, projection);
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoffMs = opts.backoffMs ?? 50;
  const chunkSize = opts.chunkSize ?? 100;
  const log = opts.logger.child({ component: 'projector', projection: projection.name });
  const metrics = projectorMetrics(opts.registry);
  const aliases = createAliasCache(db, 1000);
  const tracer = trace.getTracer('orderflow');
  let consumer: Consumer | undefined;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  function decode(message: KafkaMessage): Decoded {
    try {
      const { envelope, position } = decodeEvent(message);
      return { message, position, occurredAt: Date.parse(envelope.occurredAt), ops: projection.handles.includes(envelope.type) ? projection.project(envelope) : [] };
    } catch (error) {
      return { message, position: '', error };
    }
  }

  /** Applies ops with retries; returns the error if every attempt failed. */
  async function applyWithRetry(ops: WriteOp[], heartbeat: () => Promise<void>, names: (v: string) => string, touched: TouchedKeys): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const t = await applyOps(db, names, ops, projection.buckets);
        for (const [view, ids] of t) touched.set(view, new Set([...(touched.get(view) ?? []), ...ids]));
        return undefined;
      } catch (err) {
        lastError = err;
        metrics.retries.inc({ projection: projection.name });
        if (attempt < maxAttempts) {
          await sleep(backoffMs * 2 ** (attempt - 1));
          await heartbeat();
        }
      }
    }
    return lastError;
  }

  async function handleBatch(batch: Batch, messages: KafkaMessage[], resolveOffset: (o: string) => void, heartbeat: () => Promise<void>, commit: (nextOffset: string) => Promise<void>): Promise<void> {
    if (messages.length === 0) return;
    const alias = await aliases.get(projection);
    const names = namesFor(alias.generation);
    const decoded = messages.map(decode);
    const touched: TouchedKeys = new Map();
    await tracer.startActiveSpan('projector.batch', { attributes: { 'orderflow.projection': projection.name, 'messaging.batch.message_count': decoded.length } }, async (span) => {
      try {
        // Fast path: the whole batch's ops in one apply. Slow path (some event failed): one by one, in order.
        const allGood = decoded.every((d) => d.error === undefined);
        const batchError = allGood ? await applyWithRetry(decoded.flatMap((d) => d.ops ?? []), heartbeat, names, touched) : new Error('isolate');
        if (batchError !== undefined) {
          for (const d of decoded) {
            let error = d.error;
            // A pure projection that threw is retried too: the rule is "N tries, then the dead-letter topic".
            for (let attempt = 2; error !== undefined && !(d.ops) && attempt <= maxAttempts; attempt++) {
              await sleep(backoffMs * 2 ** (attempt - 2));
              await heartbeat();
              const again = decode(d.message);
              error = again.error;
              if (error === undefined) d.ops = again.ops;
            }
            if (error === undefined && d.ops) error = await applyWithRetry(d.ops, heartbeat, names, touched);
            if (error !== undefined) {
              const dl = await deadLetter({ db, producer, prefix, group, projection: projection.name, topic: batch.topic, partition: batch.partition, message: d.message, error, attempts: maxAttempts });
              metrics.deadLetters.inc({ projection: projection.name });
              log.error({ err: error, eventId: dl.eventId, type: dl.type, offset: dl.offset }, 'event dead-lettered');
            }
          }
        }
      } finally {
        span.end();
      }
    });
    const last = decoded.at(-1);
    if (!last) return;
    const lastPosition = [...decoded].reverse().find((d) => d.position !== '')?.position ?? '';
    const nextOffset = (BigInt(last.message.offset) + 1n).toString();
    if (lastPosition !== '') {
      await saveCheckpoint(db, { projection: projection.name, topic: batch.topic, partition: batch.partition, offset: nextOffset, position: lastPosition, highWatermark: batch.highWatermark, codeVersion: projection.codeVersion });
    }
    resolveOffset(last.message.offset);
    await commit(nextOffset);
    const now = Date.now();
    metrics.applied.inc({ projection: projection.name }, decoded.length);
    for (const d of decoded) if (d.occurredAt) metrics.endToEndSeconds.observe({ projection: projection.name }, (now - d.occurredAt) / 1000);
    metrics.lag.set({ projection: projection.name, topic: batch.topic, partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - BigInt(nextOffset)));
    if (touched.size > 0 && lastPosition !== '') {
      await publishViewChanged(producer, prefix, {
        projection: projection.name, generation: alias.generation,
        touched: Object.fromEntries([...touched].map(([v, ids]) => [v, [...ids]])),
        positions: { [`${batch.topic}:${batch.partition}`]: lastPosition }, at: new Date(now).toISOString(),
      }).catch((err: unknown) => log.warn({ err }, 'view-changed notification failed'));
    }
  }

  return {
    group,
    /** Joins the group and starts consuming; resolves once the group is joined. */
    async start(): Promise<void> {
      const topics = projectionTopics(prefix, projection);
      const admin = opts.kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [...topics, deadLetterTopic(prefix, group), viewChangedTopic(prefix)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      await admin.disconnect();
      const alias = await aliases.get(projection);
      await ensureIndexes(db, projection, alias.generation);
      const sessionTimeout = opts.sessionTimeout ?? 10_000;
      consumer = await joinConsumerGroup({
        kafka: opts.kafka, groupId: group, topics, sessionTimeout, heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)), name: 'projector', logger: log,
        run: {
          eachBatchAutoResolve: false,
          autoCommit: false,
          partitionsConsumedConcurrently: 3,
          eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
            // In chunks, each written and committed before the next: on SIGTERM (isRunning false) the
            // worker finishes the chunk in hand and stops, so a drain is bounded by one chunk, not by
            // a fetch of thousands of events.
            for (let from = 0; from < batch.messages.length; from += chunkSize) {
              if (!isRunning() || isStale()) return;
              await handleBatch(batch, batch.messages.slice(from, from + chunkSize), resolveOffset, heartbeat, (offset) =>
                commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }] }));
            }
          },
        },
      });
      log.info({ group, topics }, 'projector joined');
    },
    async stop(): Promise<void> {
      const began = Date.now();
      await consumer?.disconnect();
      consumer = undefined;
      log.info({ group, ms: Date.now() - began }, 'projector left its group');
    },
  };
}
