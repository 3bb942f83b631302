import { trace } from '@opentelemetry/api';
import type { Kafka, Producer, TopicMessages } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { familyOf, isEventType, formatPosition, type LogPosition } from '../../contracts/index.ts';
import { CORRELATION_IDS, distinctValues, linksTo } from '../../platform/index.ts';
import { encodeEvent, createOrderedProducer, ensureTopics, eventTopics, familyTopic, unroutableTopic } from '../../messaging/index.ts';
import { EVENTS_CHANNEL } from '../eventStore/sql/appendToStream.ts';
import { backlogAfter, moveCheckpoint, readCheckpoint } from '../eventStore/sql/logCheckpoint.ts';
import { readAllRows } from '../eventStore/sql/readAll.ts';
import { relayMetrics } from './metrics.ts';
import { nextRead } from './pace.ts';
import { rowToWireEvent } from './wireEvent.ts';

/** A hung read of the log fails the batch (and is retried) instead of stalling the relay. The lock is try-only, so it never waits. */
const RELAY_STATEMENT_TIMEOUT_MS = 30_000;

/** Arbitrary constant: the advisory lock only the active relay holds. */
export const RELAY_LOCK = 7_316_205;

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /** Connection string of the event store (the relay keeps one dedicated session for its lock). */
  databaseUrl: string;
  kafka: Kafka;
  logger: Logger;
  /** @default '' */
  topicPrefix?: string;
  /** @default 6 */
  partitions?: number;
  /** @default 1 */
  replicationFactor?: number;
  /** Events per Kafka send. @default 1000 */
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives. @default 500 */
  pollIntervalMs?: number;
  /** How often a standby retries the lock. @default 1000 */
  lockRetryMs?: number;
  /** Checkpoint name; one per independent relay deployment. @default 'relay' */
  name?: string;
  registry?: Registry;
}

/** What `status()` reports. */
export interface RelayStatus {
  role: 'stopped' | 'standby' | 'active';
  checkpoint: string | null;
  publishedThisProcess: number;
}

/** The outbox relay: `start()` returns at once; the loop runs until `stop()`. */
export interface Relay {
  start(): void;
  stop(): Promise<void>;
  status(): RelayStatus;
}

/**
 * Publishes every committed event to Kafka, at least once and in order per stream. The event log
 * is the outbox: the relay reads it gap-safely after its checkpoint, sends a batch (acks=-1, ordered
 * producer), and only then moves the checkpoint compare-and-set. One relay is active at a time (a
 * session advisory lock; a standby takes over when the holder's session ends). It wakes on NOTIFY
 * and polls as a fallback.
 */
/** First re-check after a read that found nothing, right after traffic (then doubled up to the poll interval). */
const RECHECK_MS = 5;

export function createRelay(opts: RelayOptions): Relay {
  const prefix = opts.topicPrefix ?? '';
  const batchSize = opts.batchSize ?? 1000;
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  const lockRetryMs = opts.lockRetryMs ?? 1000;
  const name = opts.name ?? 'relay';
  const log = opts.logger.child({ component: 'relay' });
  const metrics = relayMetrics(opts.registry);
  const tracer = trace.getTracer('orderflow');
  let state: RelayStatus = { role: 'stopped', checkpoint: null, publishedThisProcess: 0 };
  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let session: pg.Client | undefined;

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => { clearTimeout(t); resolve(); };
  });

  function topicFor(type: string): string {
    return isEventType(type) ? familyTopic(prefix, familyOf(type)) : unroutableTopic(prefix);
  }

  /** Publishes the next batch after `from`: where it ended and whether it was full (more may be waiting), or undefined when there was nothing. */
  async function publish(producer: Producer, db: pg.Client, from: LogPosition): Promise<{ to: LogPosition; full: boolean } | undefined> {
    const rows = await readAllRows(db, from, batchSize);
    if (rows.length === 0) return undefined;
    const wire = rows.map(rowToWireEvent);
    const byTopic = new Map<string, TopicMessages>();
    const now = Date.now();
    for (const e of wire) {
      const topic = topicFor(e.envelope.type);
      const tm = byTopic.get(topic) ?? { topic, messages: [] };
      tm.messages.push(encodeEvent(e, now));
      byTopic.set(topic, tm);
    }
    // One span per batch, linked to the append span of every event it carries (their traceparents).
    const attributes = { 'messaging.batch.message_count': wire.length, [CORRELATION_IDS]: distinctValues(wire.map((w) => w.envelope.correlationId)) };
    // Not an active span: nothing inside reads the context, and activating one runs AsyncLocalStorage,
    // whose promise hook then taxes every promise of the process (kafkajs, pg) for its whole life.
    const span = tracer.startSpan('relay.publish', { links: linksTo(wire.map((w) => w.envelope.traceparent)), attributes });
    try {
      await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
    } finally {
      span.end();
    }
    const last = rows.at(-1);
    const to: LogPosition = { transactionId: BigInt(last?.transaction_id ?? '0'), globalPosition: BigInt(last?.global_position ?? '0') };
    const moved = await moveCheckpoint(db, name, from, to);
    if (!moved.ok) throw new Error('relay checkpoint moved by another process; giving up leadership');
    const ackedAt = Date.now();
    metrics.published.inc(rows.length);
    for (const r of rows) metrics.appendToPublishedSeconds.observe((ackedAt - r.occurred_at.getTime()) / 1000);
    state.publishedThisProcess += rows.length;
    return { to, full: rows.length === batchSize };
  }

  async function lead(): Promise<void> {
    const db = new pg.Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5000, keepAlive: true, statement_timeout: RELAY_STATEMENT_TIMEOUT_MS });
    session = db;
    db.on('error', (err) => log.warn({ err }, 'relay session error'));
    await db.connect();
    // The session's only writes are checkpoint moves. A move lost in a crash of Postgres (async commit
    // drops at most the last few hundred ms) only re-sends events after the older checkpoint: the
    // at-least-once the relay promises anyway, never a skipped event. Visibility, hence the
    // compare-and-set, is unchanged. It saves a WAL flush (fsync) per published batch.
    await db.query('set synchronous_commit = off');
    let producer: Producer | undefined;
    let notified = false;
    try {
      state = { ...state, role: 'standby' };
      while (!stopping) {
        const { rows } = await db.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [RELAY_LOCK]);
        if (rows[0]?.locked) break;
        await sleep(lockRetryMs);
      }
      if (stopping) return;
      metrics.active.set(1);
      log.info('relay is active');
      db.on('notification', () => { notified = true; wake?.(); });
      await db.query(`listen ${EVENTS_CHANNEL}`);
      const admin = opts.kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [...eventTopics(prefix), unroutableTopic(prefix)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      await admin.disconnect();
      producer = createOrderedProducer(opts.kafka);
      await producer.connect();
      let position = await readCheckpoint(db, name);
      state = { ...state, role: 'active', checkpoint: formatPosition(position) };
      let lastBacklogAt = 0;
      let idleMs = pollIntervalMs;
      while (!stopping) {
        const next = await publish(producer, db, position);
        if (next) {
          position = next.to;
          state.checkpoint = formatPosition(position);
        }
        if (Date.now() - lastBacklogAt > 2000) {
          lastBacklogAt = Date.now();
          const backlog = await backlogAfter(db, position, 100_000);
          metrics.backlogRows.set(backlog.rows);
          metrics.backlogAgeSeconds.set(backlog.oldestAgeSeconds);
        }
        const pace = nextRead({ published: next !== undefined, full: next?.full ?? false, notified }, idleMs, RECHECK_MS, pollIntervalMs);
        idleMs = pace.idleMs;
        notified = false;
        if (pace.waitMs > 0) await sleep(pace.waitMs);
      }
    } finally {
      metrics.active.set(0);
      await producer?.disconnect().catch(() => undefined);
      await db.end().catch(() => undefined);
      session = undefined;
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          try {
            await lead();
          } catch (err) {
            metrics.errors.inc();
            log.error({ err }, 'relay failed; retrying');
            if (!stopping) await sleep(1000);
          }
        }
        state = { ...state, role: 'stopped' };
      })();
    },
    async stop() {
      stopping = true;
      wake?.();
      // A query blocked on a dead broker or database must not hold shutdown forever.
      const timeout = setTimeout(() => void session?.end().catch(() => undefined), 10_000);
      await loop;
      clearTimeout(timeout);
      loop = undefined;
    },
    status: () => ({ ...state }),
  };
}
