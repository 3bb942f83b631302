import type { Admin } from 'kafkajs';
import { EVENT_FAMILIES, type EventFamily } from '../contracts/events/index.ts';

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

/**
 * Creates the topics that do not exist yet (the broker's auto-creation is off: kafkajs races it on
 * KRaft, kafkajs #1563/#1618) and waits for their leaders.
 */
export async function ensureTopics(admin: Admin, topics: string[], partitions: number, replicationFactor: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })) });
  } catch (err) {
    // Another process created them at the same moment.
    if (!String((err as Error).message).includes('already exists')) throw err;
  }
}
