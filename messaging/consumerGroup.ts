import type { Consumer, ConsumerRunConfig, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** Options of {@link joinConsumerGroup}. */
export interface ConsumerGroupOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  sessionTimeout: number;
  heartbeatInterval: number;
  /** @default true */
  fromBeginning?: boolean;
  /** Longest a fetch waits for data. @default 100 */
  maxWaitTimeInMs?: number;
  /** Names the consumer in crash logs, e.g. "saga". */
  name: string;
  logger: Logger;
  run: ConsumerRunConfig;
}

/**
 * Connects a consumer (no topic auto-creation), subscribes, logs crashes (kafkajs restarts a
 * retriable crash by itself), starts `run` and resolves once the group is joined — so a caller
 * can produce right after without racing the first assignment.
 */
export async function joinConsumerGroup(opts: ConsumerGroupOptions): Promise<Consumer> {
  const consumer = opts.kafka.consumer({ groupId: opts.groupId, sessionTimeout: opts.sessionTimeout, heartbeatInterval: opts.heartbeatInterval, maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 100, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const level = payload.restart ? 'warn' : 'fatal';
    opts.logger[level]({ err: payload.error, restart: payload.restart }, payload.restart ? `${opts.name} consumer crashed; restarting` : `${opts.name} consumer crashed and will not restart`);
  });
  await consumer.run(opts.run);
  await joined;
  return consumer;
}
