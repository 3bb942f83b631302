import type { Admin } from 'kafkajs';
import { ensureTopics } from './topics.ts';

/**
 * Ensures `topics` exist, then waits until the broker serves metadata with a leader for each of
 * their partitions. `ensureTopics` waits for leaders only for the topics it created itself; when
 * another process created them a moment earlier, subscribing at once can still fail with
 * "This server does not host this topic-partition".
 * @throws the last metadata error when the topics are not ready within `timeoutMs`.
 */
export async function ensureTopicsReady(admin: Admin, topics: string[], partitions: number, replicationFactor: number, timeoutMs = 15_000): Promise<void> {
  await ensureTopics(admin, topics, partitions, replicationFactor);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      if (Date.now() > deadline) throw new Error(`topics not ready within ${timeoutMs} ms: ${topics.join(', ')}`);
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
