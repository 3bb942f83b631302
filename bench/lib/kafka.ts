import { Kafka, logLevel, type Producer, type ProducerBatch, type ProducerConfig } from 'kafkajs';
import { kafkaBrokers, testKafka } from '../../tests/support/isolation.ts';
import { now } from './clock.ts';

/** Called after every acknowledged `sendBatch` with the batch and when it started and was acked. */
export type AckObserver = (batch: ProducerBatch, startedAt: number, ackedAt: number) => void;

/**
 * A kafkajs client whose producers report each acknowledged `sendBatch` (the relay publishes with
 * `sendBatch(acks: -1)`), so the bench knows exactly when an event was published without touching
 * the relay's code.
 */
export class TimedKafka extends Kafka {
  constructor(
    clientId: string,
    private readonly observe: AckObserver,
  ) {
    super({ clientId, brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
  }

  override producer(config?: ProducerConfig): Producer {
    const producer = super.producer(config);
    const send = producer.sendBatch.bind(producer);
    producer.sendBatch = async (batch) => {
      const startedAt = now();
      const result = await send(batch);
      this.observe(batch, startedAt, now());
      return result;
    };
    return producer;
  }
}

/** Deletes every topic whose name starts with `prefix` (bench topics must not pile up in the broker). */
export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  if (prefix.length < 4) return; // never a broad delete
  const admin = testKafka('bench-cleanup').admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // left behind; harmless
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
