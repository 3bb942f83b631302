import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';

/** Options of {@link createKafka}. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Backoff of every client (and so of its consumers' restarts), see {@link createKafka}. */
const RETRY = { initialRetryTime: 250, maxRetryTime: 2_000, retries: 8 } as const;

/** The bootstrap brokers of each client {@link createKafka} made (kafkajs does not expose them). */
const brokersByClient = new WeakMap<Kafka, readonly string[]>();

/** The bootstrap brokers `kafka` was created with, when {@link createKafka} made it. */
export function brokersOf(kafka: Kafka): readonly string[] | undefined {
  return brokersByClient.get(kafka);
}

/** A kafkajs client whose logs go to our structured logger (or stay quiet without one). */
export function createKafka(opts: KafkaOptions): Kafka {
  const { logger } = opts;
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    // kafkajs' default backoff doubles to 30 s: a consumer whose broker was down ~25 s slept 10 s
    // more before its restart (seen after a broker SIGKILL: "Restarting the consumer in 10294ms").
    // Capped at 2 s, every client is back within ~2 s of the broker, with about the same patience
    // before a call fails (8 retries over ~12 s, against 5 over ~9 s).
    retry: RETRY,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      logger?.[levels[level] ?? 'info']({ kafkajs: namespace, ...extra }, message);
    },
  });
  brokersByClient.set(kafka, [...opts.brokers]);
  return kafka;
}

/**
 * A producer that keeps per-partition order through retries: idempotent, one request in flight,
 * the Java-compatible murmur2 partitioner (so every client maps a stream id to the same partition).
 */
export function createOrderedProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}
