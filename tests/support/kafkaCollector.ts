import type { Kafka } from 'kafkajs';
import { header } from '../../messaging/codec.ts';
import { topicsHaveLeaders } from '../../messaging/topics.ts';
import { uniqueId } from './isolation.ts';

/** One message seen by a collector. */
export interface Collected {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  streamId: string;
  streamVersion: number;
  eventId: string;
  headers: Record<string, string | undefined>;
  value: string;
}

/** A consumer that records every message of some topics from the beginning. */
export interface Collector {
  messages: Collected[];
  waitFor(predicate: (all: Collected[]) => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Waits until every topic exists with a leader for each partition. A topic that another process is
 * creating is "not hosted" for a while on a loaded broker, and subscribing then fails the run.
 */
async function topicsReady(kafka: Kafka, topics: string[], timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const ready = await topicsHaveLeaders(admin, topics).catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`collector: topics ${topics.join(', ')} not ready within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Starts a collector in a group of its own and resolves once the group is joined (topics must exist or be on their way). */
export async function collect(kafka: Kafka, topics: string[], readyTimeoutMs = 60_000): Promise<Collector> {
  await topicsReady(kafka, topics, readyTimeoutMs);
  const consumer = kafka.consumer({ groupId: uniqueId('collector'), sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const names = ['eventId', 'type', 'version', 'streamId', 'streamVersion', 'globalPosition', 'position', 'correlationId', 'causationId', 'traceparent', 'occurredAt', 'publishedAt'];
      messages.push({
        topic, partition, offset: message.offset, key: String(message.key),
        streamId: header(message, 'streamId') ?? '', streamVersion: Number(header(message, 'streamVersion')), eventId: header(message, 'eventId') ?? '',
        headers: Object.fromEntries(names.map((n) => [n, header(message, n)])),
        value: message.value?.toString('utf8') ?? '',
      });
    },
  });
  await joined;
  return {
    messages,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) throw new Error(`collector: condition not met within ${timeoutMs} ms (${messages.length} messages)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

/** Checks delivery: every expected (stream, version) present, and per stream first occurrences in version order. */
export function deliveryReport(messages: Collected[], expected: Map<string, number>): { missing: number; outOfOrder: string[]; duplicates: number } {
  const firstSeen = new Map<string, number[]>();
  const seenIds = new Set<string>();
  let duplicates = 0;
  for (const m of messages) {
    if (seenIds.has(m.eventId)) {
      duplicates++;
      continue;
    }
    seenIds.add(m.eventId);
    firstSeen.set(m.streamId, [...(firstSeen.get(m.streamId) ?? []), m.streamVersion]);
  }
  let missing = 0;
  const outOfOrder: string[] = [];
  for (const [stream, count] of expected) {
    const versions = firstSeen.get(stream) ?? [];
    missing += count - versions.length;
    if (versions.some((v, i) => v !== i + 1)) outOfOrder.push(stream);
  }
  return { missing, outOfOrder, duplicates };
}
