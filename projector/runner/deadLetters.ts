import type { Db } from 'mongodb';
import type { KafkaMessage, Producer } from 'kafkajs';
import { publishDeadLetter } from '../../messaging/index.ts';

/** Collection mirroring dead-lettered events for the operator (the Kafka DLQ topic is the durable record). */
export const DEAD_LETTERS = 'dead_letters';

/** A dead-lettered event as the operator sees it. */
export interface DeadLetterDoc {
  _id: string;
  group: string;
  projection: string;
  topic: string;
  partition: number;
  offset: string;
  streamId: string | null;
  streamVersion: number | null;
  eventId: string | null;
  type: string | null;
  error: string;
  attempts: number;
  failedAt: string;
  status: 'open' | 'retried' | 'discarded';
  headers: Record<string, string>;
  value: string;
}

/**
 * Sends a failed message to the group's dead-letter topic with its error, attempt count and original
 * headers, then records it for the operator. Called before the offset moves past it.
 */
export async function deadLetter(args: {
  db: Db; producer: Producer; prefix: string; group: string; projection: string; topic: string; partition: number;
  message: KafkaMessage; error: unknown; attempts: number;
}): Promise<DeadLetterDoc> {
  const { message } = args;
  const { origin, original } = await publishDeadLetter(args.producer, args);
  const { error, failedAt } = origin;
  const doc: DeadLetterDoc = {
    _id: `${args.group}:${args.topic}:${args.partition}:${message.offset}`,
    group: args.group, projection: args.projection, topic: args.topic, partition: args.partition, offset: message.offset,
    streamId: original.streamId ?? null, streamVersion: original.streamVersion ? Number(original.streamVersion) : null,
    eventId: original.eventId ?? null, type: original.type ?? null, error, attempts: args.attempts, failedAt, status: 'open',
    headers: original, value: message.value?.toString('utf8') ?? '',
  };
  await args.db.collection<DeadLetterDoc>(DEAD_LETTERS).updateOne({ _id: doc._id }, { $setOnInsert: doc }, { upsert: true });
  return doc;
}
