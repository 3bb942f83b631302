import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventTopics, header, createKafka } from '../../messaging/index.ts';
import type { CheckResult } from './check.ts';

interface Seen {
  stream: string;
  version: number;
  eventId: string;
}

/** Reads every message of the event topics, from the beginning up to the current high watermarks. */
async function readAll(brokers: string[], prefix: string, timeoutMs: number): Promise<Seen[]> {
  const kafka = createKafka({ brokers, clientId: 'orderflow-chaos-check' });
  const admin = kafka.admin();
  await admin.connect();
  const topics = eventTopics(prefix);
  const high = new Map<string, number>();
  try {
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) high.set(`${topic}/${p.partition}`, Number(p.high));
  } finally {
    await admin.disconnect();
  }
  const reached = new Map<string, number>();
  const done = () => [...high].every(([k, h]) => h === 0 || (reached.get(k) ?? 0) >= h);
  const seen: Seen[] = [];
  const consumer = kafka.consumer({ groupId: `${prefix}chaos-check-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        reached.set(`${topic}/${partition}`, Number(message.offset) + 1);
        seen.push({ stream: header(message, 'streamId') ?? '', version: Number(header(message, 'streamVersion')), eventId: header(message, 'eventId') ?? '' });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/**
 * Every stored event is on Kafka, and per stream its first copies come in version order (copies of
 * a message already seen, which the relay may re-send after a crash, are counted as duplicates).
 */
export async function everyEventOnKafka(pool: pg.Pool, brokers: string[], prefix: string, timeoutMs: number): Promise<CheckResult> {
  const { rows } = await pool.query<{ event_id: string }>('select event_id from events');
  const seen = await readAll(brokers, prefix, timeoutMs);
  const ids = new Set<string>();
  const lastVersion = new Map<string, number>();
  let duplicates = 0;
  const reordered: string[] = [];
  for (const m of seen) {
    if (ids.has(m.eventId)) {
      duplicates++;
      continue;
    }
    ids.add(m.eventId);
    const prev = lastVersion.get(m.stream) ?? 0;
    if (m.version !== prev + 1) reordered.push(`${m.stream}: v${m.version} after v${prev}`);
    lastVersion.set(m.stream, Math.max(prev, m.version));
  }
  const missing = rows.filter((r) => !ids.has(r.event_id)).length;
  return {
    name: 'every stored event is on Kafka, in order per stream',
    passed: missing === 0 && reordered.length === 0 && rows.length > 0,
    summary: `${rows.length} stored, ${seen.length} messages, ${missing} missing, ${reordered.length} out of order, ${duplicates} duplicates`,
    details: { missing, duplicates, reordered: reordered.slice(0, 20) },
  };
}
