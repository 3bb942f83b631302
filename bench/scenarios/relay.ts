import { randomUUID } from 'node:crypto';
import type { Message, TopicMessages } from 'kafkajs';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { START, type LogPosition } from '../../contracts/position.ts';
import { readAllRows } from '../../command-side/eventStore/sql/readAll.ts';
import { createRelay } from '../../command-side/outbox/relay.ts';
import { rowToWireEvent } from '../../command-side/outbox/wireEvent.ts';
import { familyOf, isEventType } from '../../contracts/events/index.ts';
import { encodeEvent, H } from '../../messaging/codec.ts';
import { createOrderedProducer } from '../../messaging/kafka.ts';
import { ensureTopics, eventTopics, familyTopic, unroutableTopic } from '../../messaging/topics.ts';
import { pairLatencies, ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { quietLogger } from '../lib/app.ts';
import { now, waitUntil } from '../lib/clock.ts';
import { benchId, scratchDb } from '../lib/db.ts';
import { restockNewEvent } from '../lib/fixtures.ts';
import { deleteTopicsWithPrefix, TimedKafka } from '../lib/kafka.ts';
import { openLoop } from '../lib/load.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const PARTITIONS = 6;
const RELAY_BATCH = 1000;

function eventIdOf(m: Message): string | undefined {
  const v = m.headers?.[H.eventId];
  return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
}

/**
 * Scenario 5: the outbox relay (`createRelay`, production defaults: batch 1000, acks=all,
 * idempotent ordered producer, 6 partitions). (a) Throughput: a backlog appended before the relay
 * starts, drained; (b) latency: append (committed) → broker ack of the relay's `sendBatch`, at a steady
 * append rate with the relay caught up. Baseline: the same encoded messages sent in the same 1000-message
 * batches with the same producer settings, straight from memory.
 */
export const relayScenario: Scenario = async ({ quick, log }) => {
  const db = await scratchDb('relay');
  const prefix = `${benchId('bench_relay')}.`;
  const notes: string[] = [];
  const ackAt = new Map<string, number>();
  let firstSendAt: number | undefined;
  const kafka = new TimedKafka('bench-relay', (batch, startedAt, ackedAt) => {
    firstSendAt ??= startedAt;
    for (const tm of batch.topicMessages ?? []) for (const m of tm.messages) {
      const id = eventIdOf(m);
      if (id) ackAt.set(id, ackedAt);
    }
  });
  const relay = createRelay({ databaseUrl: db.url, kafka, logger: quietLogger, topicPrefix: prefix, partitions: PARTITIONS, batchSize: RELAY_BATCH, lockRetryMs: 200 });
  try {
    const pool = db.pool(8);
    const store = createEventStore(pool);
    const backlog = quick ? 10_000 : 50_000;
    // (a) backlog of 100-event appends (setup, not measured).
    const ids: string[] = [];
    for (let i = 0; i < backlog / 100; i++) {
      const events = Array.from({ length: 100 }, (_, j) => restockNewEvent(`SKU-${j % 20}`, 1, randomUUID()));
      for (const e of events) ids.push(e.eventId);
      const r = await store.append(`inventory-bench-${i}`, 0, events);
      if (!r.ok) throw new Error('backlog append refused');
    }
    log(`  backlog of ${backlog} events appended; starting the relay`);
    const relayStart = now();
    relay.start();
    const drained = await waitUntil(() => ackAt.size >= backlog, 120_000, 10);
    if (!drained) notes.push(`backlog: only ${ackAt.size}/${backlog} acked within 120 s`);
    const lastAck = Math.max(...ids.map((id) => ackAt.get(id) ?? 0));
    const drainRate = ratePerSecond(ackAt.size, lastAck - (firstSendAt ?? relayStart));
    notes.push(`backlog ${backlog} events: relay start → first sendBatch ${Math.round((firstSendAt ?? relayStart) - relayStart)} ms (lock, topic creation, producer connect); rate counted from the first sendBatch to the last ack`);
    log(`  relay drained ${ackAt.size} events at ${drainRate.toFixed(0)} events/s`);

    // (b) steady appends while the relay is caught up.
    const appendedAt = new Map<string, number>();
    const steadyRate = 200;
    const steadyMs = quick ? 2000 : 8000;
    const steady = await openLoop({
      ratePerSecond: steadyRate,
      durationMs: steadyMs,
      maxInFlight: 32,
      op: async (n) => {
        const e = restockNewEvent(`SKU-${n % 50}`, 1, randomUUID());
        const r = await store.append(`inventory-steady-${n}`, 0, [e]);
        if (!r.ok) throw new Error('append refused');
        appendedAt.set(e.eventId, now());
      },
    });
    await waitUntil(() => [...appendedAt.keys()].every((id) => ackAt.has(id)), 30_000, 20);
    const lat = pairLatencies(appendedAt, ackAt);
    const latS = summarize(lat.latencies);
    log(`  steady ${steady.ok} appends: append→published p50 ${latS?.p50.toFixed(1)} p99 ${latS?.p99.toFixed(1)} ms`);
    await relay.stop();

    // Baseline: the same rows, encoded the same way, sent in the same batches by the same producer kind.
    let readCount = 0;
    let position: LogPosition = START;
    const topicOf = (type: string) => (isEventType(type) ? familyTopic(`${prefix}raw.`, familyOf(type)) : unroutableTopic(`${prefix}raw.`));
    const topicBatches: TopicMessages[][] = [];
    for (;;) {
      const batch = await readAllRows(pool, position, RELAY_BATCH);
      if (batch.length === 0 || readCount >= backlog) break;
      const byTopic = new Map<string, TopicMessages>();
      const t = Date.now();
      for (const row of batch) {
        const w = rowToWireEvent(row);
        const topic = topicOf(w.envelope.type);
        const tm = byTopic.get(topic) ?? { topic, messages: [] };
        tm.messages.push(encodeEvent(w, t));
        byTopic.set(topic, tm);
      }
      topicBatches.push([...byTopic.values()]);
      readCount += batch.length;
      const last = batch.at(-1);
      position = { transactionId: BigInt(last?.transaction_id ?? '0'), globalPosition: BigInt(last?.global_position ?? '0') };
    }
    const plain = new TimedKafka('bench-relay-raw', () => undefined);
    const admin = plain.admin();
    await admin.connect();
    await ensureTopics(admin, [...eventTopics(`${prefix}raw.`), unroutableTopic(`${prefix}raw.`)], PARTITIONS, 1);
    await admin.disconnect();
    const producer = createOrderedProducer(plain);
    await producer.connect();
    const sent = topicBatches.reduce((n, b) => n + b.reduce((m, tm) => m + tm.messages.length, 0), 0);
    const t0 = now();
    for (const b of topicBatches) await producer.sendBatch({ topicMessages: b, acks: -1 });
    const rawRate = ratePerSecond(sent, now() - t0);
    await producer.disconnect();
    log(`  raw producer: ${sent} messages at ${rawRate.toFixed(0)}/s`);

    const r = ratio(drainRate, rawRate);
    const figures: Figure[] = [
      {
        name: 'relay published (backlog drain)',
        value: round(drainRate),
        unit: 'events/s',
        baseline: { what: 'raw kafkajs sendBatch, same batches/settings', value: round(rawRate), unit: 'msgs/s' },
        ...(r !== undefined && { ratio: round(r) }),
      },
    ];
    if (latS) {
      figures.push({ name: `append→published p50 @${steadyRate}/s`, value: round(latS.p50), unit: 'ms', latency: roundSummary(latS) });
      figures.push({ name: `append→published p99 @${steadyRate}/s`, value: round(latS.p99), unit: 'ms', latency: roundSummary(latS), ...(lat.missing > 0 && { notes: [`${lat.missing} appends never published`] }) });
    }
    notes.push(`latency: ${steady.ok} single-event appends at ${steadyRate}/s open loop for ${steadyMs / 1000} s (${steady.errors} errors); from append() resolving (committed) to the relay's sendBatch acknowledged (acks=all), same process clock`);
    notes.push('the relay wakes on LISTEN/NOTIFY (fallback poll 500 ms); each publish = gap-safe readAll (≤1000 rows) → sendBatch → compare-and-set checkpoint, strictly one batch at a time');
    return { id: 'relay', title: '5. Outbox relay: published events/s and append→published latency', figures, notes };
  } finally {
    await relay.stop().catch(() => undefined);
    await deleteTopicsWithPrefix(prefix);
    await db.drop();
  }
};
