import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { createTopics, testKafka, uniqueId } from '../../support/isolation.ts';

describe('Apache Kafka (real broker)', () => {
  const kafka = testKafka('stack-test');
  const topic = `${uniqueId('t')}.ordering`;
  let admin: Admin;
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic], 3);
  });
  afterAll(() => admin.disconnect());

  it('has the topic with 3 partitions', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('delivers keyed messages in order per key across 3 partitions', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const perKey = 50;
    const consumer = kafka.consumer({ groupId: uniqueId('g'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, number[]>();
    const partitionsByKey = new Map<string, Set<number>>();
    let total = 0;
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const key = String(message.key);
          seen.set(key, [...(seen.get(key) ?? []), Number(String(message.value))]);
          partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
          if (++total === keys.length * perKey) resolve();
        },
      });
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < perKey; i++) {
      await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: String(i) })) });
    }
    await all;
    await producer.disconnect();
    await consumer.disconnect();
    const expected = Array.from({ length: perKey }, (_, i) => i);
    for (const key of keys) {
      expect(seen.get(key)).toEqual(expected);
      expect(partitionsByKey.get(key)?.size).toBe(1);
    }
    const usedPartitions = new Set([...partitionsByKey.values()].flatMap((s) => [...s]));
    expect(usedPartitions.size).toBeGreaterThan(1);
  });
});
