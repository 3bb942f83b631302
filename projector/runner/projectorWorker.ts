import { trace } from '@opentelemetry/api';
import type { Batch, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { familyOf } from '../../contracts/index.ts';
import { CORRELATION_IDS, distinctValues, linksTo } from '../../platform/index.ts';
import { decodeEvent, joinConsumerGroup, deadLetterTopic, ensureTopics, familyTopic, viewChangedTopic, retryUntilDone, startHeartbeatTicker, StopRequested, type FailureKind, type RetryOptions } from '../../messaging/index.ts';
import { applyOps, type TouchedKeys } from '../mongo/applyOps.ts';
import { createAliasCache, ensureIndexes, namesFor, type ViewNames } from '../mongo/generations.ts';
import { stampAdds, stampRanks, type Projection, type WriteOp } from '../projections/index.ts';
import { liveShard } from './liveShard.ts';
import { advanceCheckpoint, type PartitionCheckpoint } from './checkpoints.ts';
import { deadLetter } from './deadLetters.ts';
import { classifyProjectorFailure } from './failureClass.ts';
import { projectorMetrics } from './metrics.ts';
import { createTrailingPacer } from './trailingPacer.ts';
import { unhandledMessage } from './unhandledMessage.ts';
import { publishViewChanged, type ChangeCause } from './viewChanged.ts';

/** Writes a projection's ops to the generation `names` maps to; {@link applyOps} over the worker's `db` by default. */
export type ViewWriter = (names: ViewNames, ops: readonly WriteOp[], projection: Pick<Projection, 'buckets' | 'sharded' | 'ranked'>) => Promise<TouchedKeys>;

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
  /** Tries per event before a deterministic failure is dead-lettered (transient ones are retried until they pass). @default 5 */
  maxAttempts?: number;
  /** First retry delay; doubles each try, ±20 % jitter. @default 50 */
  backoffMs?: number;
  /** Longest retry delay while a transient failure lasts. @default 5000 */
  maxBackoffMs?: number;
  /** The view-write adapter (a test wraps it to make the store fail). @default applyOps over `db` */
  writeViews?: ViewWriter;
  /** @default 6 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Most events applied and committed as one unit inside a fetched batch (bounds a graceful stop). @default 100 */
  chunkSize?: number;
  /**
   * Longest a partition's checkpoint and offset commit wait after its last chunk: at most one of each
   * per partition per interval (0: after every chunk, as before). @default 250
   */
  checkpointIntervalMs?: number;
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

/** Causes carried by one views.changed message (and links of one apply span): enough to follow a command, bounded. */
const MAX_CAUSES = 64;

interface Decoded {
  message: KafkaMessage;
  ops?: WriteOp[];
  error?: unknown;
  position: string;
  occurredAt?: number;
  /** The event's correlation id and traceparent (its append span), for span links. */
  cause?: ChangeCause;
}

/** A partition's progress after a chunk, as the checkpoint pacer writes it. */
interface Progress {
  /** Undefined when no message of the chunk had a position (all dead-lettered undecoded): only the offset moves. */
  cp: Omit<PartitionCheckpoint, '_id' | 'updatedAt' | 'next'> | undefined;
  /** Next offset to consume. */
  offset: string;
  /** Commits `offset` for the partition (kafkajs' commit of the batch it came from). */
  commit: (nextOffset: string) => Promise<void>;
  /** The chunk's retry context: its heartbeat and stop signal, for a checkpoint write waiting out the store. */
  retrying: { where: string; heartbeat: () => Promise<void>; isStopping: () => boolean };
}

/**
 * Runs one projection as a Kafka consumer group: decode (upcasting) → pure `project` → idempotent
 * Mongo writes → "view changed" notification → checkpoint (compare-and-set) → offset commit, the last
 * two paced per partition (`checkpointIntervalMs`). Offsets move only after the write. Failures are told apart ({@link classifyProjectorFailure}): a transient
 * one (store down, slow, failing over) holds the partition — its batch is retried with backoff and
 * jitter until it passes and nothing is dead-lettered — while the other partitions go on; a
 * deterministic one (bad payload, projection throws) gets `maxAttempts` tries, then that one event
 * goes to the dead-letter topic and the partition moves on.
 */
export function createProjectorWorker(opts: ProjectorWorkerOptions) {
  const { projection, db, producer } = opts;
  const prefix = opts.topicPrefix ?? '';
  const group = projectorGroup(prefix, projection);
  const maxAttempts = opts.maxAttempts ?? 5;
  const chunkSize = opts.chunkSize ?? 100;
  const log = opts.logger.child({ component: 'projector', projection: projection.name });
  const metrics = projectorMetrics(opts.registry);
  const aliases = createAliasCache(db, 1000);
  /** Per "topic:partition", the position of the last notification sent or tried (its `after` lets caches see a lost one). */
  const notified = new Map<string, string>();
  const tracer = trace.getTracer('orderflow');
  const sessionTimeout = opts.sessionTimeout ?? 10_000;
  const heartbeatMs = Math.max(500, Math.floor(sessionTimeout / 10));
  const writeViews: ViewWriter = opts.writeViews ?? ((names, ops, p) => applyOps(db, names, ops, p.buckets, p.sharded, { ranked: p.ranked, partitions: opts.partitions ?? 6 }));
  let consumer: Consumer | undefined;
  const handled = new Set<string>(projection.handles);
  const checkpointIntervalMs = opts.checkpointIntervalMs ?? 250;
  /** Set when stop() begins: from then on every checkpoint is written at once, before the group is left. */
  let stopping = false;

  /**
   * A partition's progress after a chunk: the checkpoint (compare-and-set), then the Kafka offset
   * commit, in that order, so the store's checkpoint is never behind the commit. Paced: per partition
   * at most one such write starts per `checkpointIntervalMs`, carrying the newest chunk's progress (a
   * chunk inside the interval is written at its end). Each one is two round trips (a FerretDB write,
   * hence a Postgres commit, and an OffsetCommit) whatever the chunk held, and at a few dozen orders/s
   * every chunk is one event, so unpaced they were most of a projection's store commands. What it
   * costs: after a crash the uncommitted chunks of the last interval are redelivered (idempotent,
   * version- and position-guarded re-applies, as for any redelivery), and a consistentWith wait that
   * only a checkpoint can satisfy (a position the view ignores, or a lost notification) may wait up to
   * the interval longer. A commit refused by a rebalance is dropped: the next owner starts earlier.
   */
  const checkpoints = createTrailingPacer<Progress>(async (where, p) => {
    if (p.cp) {
      const cp = p.cp;
      const saved = await attempt(() => advanceCheckpoint(db, cp), p.retrying, () => 'transient');
      if (!saved.ok) throw saved.error; // not reached: every failure here is waited out
      const outcome = saved.value;
      metrics.checkpoints.inc({ projection: projection.name, outcome });
      if (outcome === 'ahead') log.info({ partition: where, offset: cp.offset }, 'checkpoint already ahead (another consumer got further); left as is');
    }
    await p.commit(p.offset);
  }, () => (stopping ? 0 : checkpointIntervalMs), (err) => {
    if (err instanceof StopRequested) return; // uncommitted: redelivered to whoever owns the partition next
    log.warn({ err }, 'checkpoint or offset commit failed; the partition resumes from the previous one');
  });

  /**
   * Decodes and projects one message; sums of a sharded view land in the shard of this partition's writer, ranks carry the event's position.
   * A type the projection does not handle (by the `type` header the relay sets from the stored row) writes
   * nothing, so it is not parsed or validated: its position and time come from the headers. Those are
   * most of a topic's messages for some projections (revenue_by_day reads 2 of the orders topic's types).
   */
  function decode(message: KafkaMessage, partition: number): Decoded {
    const skipped = unhandledMessage(message, handled);
    if (skipped) return skipped;
    try {
      const { envelope, position } = decodeEvent(message);
      const ops = projection.handles.includes(envelope.type) ? projection.project(envelope) : [];
      const cause = { correlationId: envelope.correlationId, traceparent: envelope.traceparent };
      return { message, position, occurredAt: Date.parse(envelope.occurredAt), cause, ops: stampRanks(stampAdds(ops, { shard: liveShard(envelope.type, partition), position }), position) };
    } catch (error) {
      return { message, position: '', error };
    }
  }

  /** How one partition's work is retried; the partition counts as paused while a transient failure lasts. */
  interface Retrying {
    where: string;
    heartbeat: () => Promise<void>;
    isStopping: () => boolean;
  }

  /** Runs `work` under {@link retryUntilDone} with `classify` (the failure classes by default). */
  async function attempt<T>(work: () => Promise<T>, r: Retrying, classify: (e: unknown) => FailureKind = classifyProjectorFailure) {
    let paused = false;
    const options: RetryOptions = {
      classify, maxAttempts, initialDelayMs: opts.backoffMs ?? 50, maxDelayMs: opts.maxBackoffMs ?? 5000, heartbeat: r.heartbeat, isStopping: r.isStopping,
      onRetry(err, kind, tries, delayMs) {
        metrics.retries.inc({ projection: projection.name });
        metrics.failures.inc({ projection: projection.name, kind });
        if (kind === 'transient' && !paused) {
          paused = true;
          metrics.pausedPartitions.inc({ projection: projection.name });
          log.warn({ err, partition: r.where, attempt: tries, delayMs }, 'view store unavailable: partition paused, retrying until it answers');
        } else if (kind !== 'transient') log.debug({ err, partition: r.where, attempt: tries, delayMs }, 'apply failed; retrying');
      },
    };
    try {
      return await retryUntilDone(work, options);
    } finally {
      if (paused) {
        metrics.pausedPartitions.dec({ projection: projection.name });
        log.info({ partition: r.where }, 'partition resumed');
      }
    }
  }

  async function applyTracked(ops: readonly WriteOp[], names: ViewNames, touched: TouchedKeys): Promise<void> {
    const t = await writeViews(names, ops, projection);
    for (const [view, ids] of t) touched.set(view, new Set([...(touched.get(view) ?? []), ...ids]));
  }

  /**
   * One chunk of a fetched batch, heartbeating all along: kafkajs heartbeats only between batches,
   * so a member busy with a long batch on a loaded box (a backlog after an outage) missed its session
   * and lost its partitions while still writing them: the next owner redid the batch beside it (two
   * writers of one view document). A heartbeat that fails (the group is rebalancing, this member is
   * gone) stops the chunk before its next write: uncommitted, it is redelivered to the next owner.
   */
  async function handleBatch(batch: Batch, messages: KafkaMessage[], resolveOffset: (o: string) => void, heartbeat: () => Promise<void>, commit: (nextOffset: string) => Promise<void>, isStopping: () => boolean): Promise<void> {
    if (messages.length === 0) return;
    const ticker = startHeartbeatTicker(heartbeat, heartbeatMs);
    try {
      await handleChunk(batch, messages, resolveOffset, heartbeat, commit, isStopping, ticker.check);
    } finally {
      ticker.stop();
    }
  }

  async function handleChunk(batch: Batch, messages: KafkaMessage[], resolveOffset: (o: string) => void, heartbeat: () => Promise<void>, commit: (nextOffset: string) => Promise<void>, isStopping: () => boolean, stillMember: () => void): Promise<void> {
    const where = `${batch.topic}:${batch.partition}`;
    const r: Retrying = { where, heartbeat, isStopping };
    const found = await attempt(() => aliases.get(projection), r, () => 'transient');
    if (!found.ok) throw found.error; // not reached: every failure here is waited out
    const alias = found.value;
    const names = namesFor(alias.generation);
    const decoded = messages.map((m) => decode(m, batch.partition));
    const touched: TouchedKeys = new Map();
    // What the batch changed, per event that wrote something: the async hop's links, here and in views.changed.
    const causes = decoded.flatMap((d) => (d.cause && d.ops && d.ops.length > 0 ? [d.cause] : [])).slice(0, MAX_CAUSES);
    const attributes = { 'orderflow.projection': projection.name, 'messaging.batch.message_count': decoded.length, [CORRELATION_IDS]: distinctValues(causes.map((c) => c.correlationId)) };
    // Not an active span: nothing inside reads the context, and activating one runs AsyncLocalStorage,
    // whose promise hook then taxes every promise of the process (kafkajs, the Mongo driver) for good.
    const span = tracer.startSpan('projector.apply', { attributes, links: linksTo(causes.map((c) => c.traceparent)) });
    try {
      // Fast path: the whole batch's ops in one apply. Slow path (some event failed for good): one by one, in order.
      const allGood = decoded.every((d) => d.error === undefined);
      stillMember();
      const whole = allGood
        ? await attempt(() => applyTracked(decoded.flatMap((d) => d.ops ?? []), names, touched), r)
        : undefined;
      if (whole?.ok !== true) {
        for (const d of decoded) {
          stillMember();
          await applyOrDeadLetter(d, batch, names, touched, r);
        }
      }
    } finally {
      span.end();
    }
    const last = decoded.at(-1);
    if (!last) return;
    const lastPosition = [...decoded].reverse().find((d) => d.position !== '')?.position ?? '';
    const nextOffset = (BigInt(last.message.offset) + 1n).toString();
    // The views hold the batch now: tell subscribers and caches at once, while the checkpoint and the
    // offset commit go on (a crash before the commit redelivers the batch: an idempotent re-apply and a
    // repeated notification of the same state, never a notification of something unwritten).
    const notifying = touched.size > 0 && lastPosition !== '' ? notify(where, alias.generation, touched, lastPosition, causes) : undefined;
    stillMember();
    resolveOffset(last.message.offset);
    const cp = lastPosition === '' ? undefined : { projection: projection.name, topic: batch.topic, partition: batch.partition, offset: nextOffset, position: lastPosition, highWatermark: batch.highWatermark, codeVersion: projection.codeVersion };
    await checkpoints.offer(where, { cp, offset: nextOffset, commit, retrying: r });
    const now = Date.now();
    metrics.applied.inc({ projection: projection.name }, decoded.length);
    for (const d of decoded) if (d.occurredAt) metrics.endToEndSeconds.observe({ projection: projection.name }, (now - d.occurredAt) / 1000);
    metrics.lag.set({ projection: projection.name, topic: batch.topic, partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - BigInt(nextOffset)));
    // Awaited before the next batch, so one partition's notifications stay in order.
    await notifying;
  }

  /** Publishes what a batch changed (`at` = now, just after the view write); a failed send is logged, not retried. */
  function notify(where: string, generation: number, touched: TouchedKeys, position: string, causes: ChangeCause[]): Promise<void> {
    const after = notified.get(where);
    notified.set(where, position); // even if the send fails: the next one's `after` then shows the gap
    return publishViewChanged(producer, prefix, {
      projection: projection.name, generation,
      touched: Object.fromEntries([...touched].map(([v, ids]) => [v, [...ids]])),
      positions: { [where]: position }, ...(after !== undefined && { after: { [where]: after } }), at: new Date().toISOString(), causes,
    }).catch((err: unknown) => log.warn({ err }, 'view-changed notification failed'));
  }

  /**
   * One event on the slow path: projecting it (pure, but retried: the rule is "N tries, then the
   * dead-letter topic") and writing it, each under the failure classes; an event that fails for good
   * is dead-lettered (that write itself waits out any failure: giving up there would lose the event).
   */
  async function applyOrDeadLetter(d: Decoded, batch: Batch, names: ViewNames, touched: TouchedKeys, r: Retrying): Promise<void> {
    let first = true;
    const work = async () => {
      const again = first ? d : decode(d.message, batch.partition);
      first = false;
      if (again.error !== undefined) throw again.error;
      await applyTracked(again.ops ?? [], names, touched);
    };
    const outcome = await attempt(work, r);
    if (outcome.ok) return;
    const { error, attempts } = outcome;
    const dl = await attempt(
      () => deadLetter({ db, producer, prefix, group, projection: projection.name, topic: batch.topic, partition: batch.partition, message: d.message, error, attempts }),
      r, () => 'transient',
    );
    if (!dl.ok) throw dl.error;
    metrics.deadLetters.inc({ projection: projection.name });
    log.error({ err: error, eventId: dl.value.eventId, type: dl.value.type, offset: dl.value.offset, attempts }, 'event dead-lettered');
  }

  return {
    group,
    /** Joins the group and starts consuming; resolves once the group is joined. */
    async start(): Promise<void> {
      stopping = false;
      const topics = projectionTopics(prefix, projection);
      const admin = opts.kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [...topics, deadLetterTopic(prefix, group), viewChangedTopic(prefix)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      await admin.disconnect();
      const alias = await aliases.get(projection);
      await ensureIndexes(db, projection, alias.generation);
      consumer = await joinConsumerGroup({
        kafka: opts.kafka, groupId: group, topics, sessionTimeout, heartbeatInterval: heartbeatMs, name: 'projector', logger: log,
        run: {
          eachBatchAutoResolve: false,
          autoCommit: false,
          partitionsConsumedConcurrently: 3,
          eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
            const isStopping = () => !isRunning() || isStale();
            // In chunks, each written and committed before the next: on SIGTERM (isRunning false) the
            // worker finishes the chunk in hand and stops, so a drain is bounded by one chunk, not by
            // a fetch of thousands of events.
            try {
              for (let from = 0; from < batch.messages.length; from += chunkSize) {
                if (isStopping()) return;
                await handleBatch(batch, batch.messages.slice(from, from + chunkSize), resolveOffset, heartbeat, (offset) =>
                  commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }] }), isStopping);
              }
            } catch (err) {
              if (err instanceof StopRequested) return; // uncommitted: redelivered to whoever owns the partition next
              throw err;
            }
          },
        },
      });
      log.info({ group, topics }, 'projector joined');
    },
    async stop(): Promise<void> {
      const began = Date.now();
      // Progress still waiting for its interval is written while this is still a member; the chunks
      // that finish during the disconnect write theirs at once.
      stopping = true;
      await checkpoints.flush();
      await consumer?.disconnect();
      consumer = undefined;
      log.info({ group, ms: Date.now() - began }, 'projector left its group');
    },
  };
}
