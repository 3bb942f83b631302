import type { Admin } from 'kafkajs';
import { EVENT_FAMILIES, type EventFamily } from '../contracts/index.ts';

/** Topic of one event family, e.g. `orders.events` (with the deployment's prefix). */
export function familyTopic(prefix: string, family: EventFamily): string {
  return `${prefix}${family}.events`;
}

/** All event-family topics. */
export function eventTopics(prefix: string): string[] {
  return (Object.keys(EVENT_FAMILIES) as EventFamily[]).map((f) => familyTopic(prefix, f));
}

/** Topic carrying "view changed" notifications from projectors to API replicas. */
export function viewChangedTopic(prefix: string): string {
  return `${prefix}views.changed`;
}

/** Dead-letter topic of one consumer group. */
export function deadLetterTopic(prefix: string, group: string): string {
  return `${prefix}dlq.${group}`;
}

/** Topic for stored events whose type the relay cannot route (kept, never dropped). */
export function unroutableTopic(prefix: string): string {
  return `${prefix}unroutable.events`;
}

/** True when metadata shows every topic with a leader for each of its partitions (ready to subscribe and produce). */
export async function topicsHaveLeaders(admin: Admin, topics: string[]): Promise<boolean> {
  const { topics: meta } = await admin.fetchTopicMetadata({ topics });
  return meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
}

/**
 * Creates the topics that do not exist yet (the broker's auto-creation is off: kafkajs races it on
 * KRaft, kafkajs #1563/#1618), then waits until metadata shows a leader for every partition of every
 * topic — also for topics another process created a moment earlier, where subscribing at once can
 * fail with "This server does not host this topic-partition". Retriable broker errors (a busy or
 * just-restarted broker) are retried until `timeoutMs`.
 * @throws the last error when the topics are not ready within `timeoutMs`.
 */
export async function ensureTopics(admin: Admin, topics: string[], partitions: number, replicationFactor: number, timeoutMs = 30_000): Promise<void> {
  const wanted = [...new Set(topics)];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })) });
      }
      if (await topicsHaveLeaders(admin, wanted)) return;
    } catch (err) {
      const e = err as { message?: string; retriable?: boolean };
      const benign = String(e.message).includes('already exists') || e.retriable === true || String(e.message).includes('does not host this topic-partition');
      if (!benign || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready within ${timeoutMs} ms: ${wanted.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
