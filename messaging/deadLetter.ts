import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterHeaders, errorText, type DeadLetterOrigin } from '../contracts/index.ts';
import { header } from './codec.ts';
import { deadLetterTopic } from './topics.ts';

/** Where a message that could not be handled came from, and why. */
export interface DeadLetterInput {
  prefix: string;
  group: string;
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
  error: unknown;
  attempts: number;
}

/** What was published: the origin named in the `dlq-*` headers and the message's original headers as text. */
export interface PublishedDeadLetter {
  origin: DeadLetterOrigin;
  original: Record<string, string>;
}

/**
 * Copies a message the group gives up on to its dead-letter topic (`<prefix>dlq.<group>`), with
 * the original headers plus the `dlq-*` headers of `contracts/deadLetter.ts` naming the error,
 * attempts and origin (one set for every group). Call it before the offset moves past the message.
 * @throws KafkaJSError when the broker does not acknowledge (the caller must not move on).
 */
export async function publishDeadLetter(producer: Producer, input: DeadLetterInput): Promise<PublishedDeadLetter> {
  const { message } = input;
  const original: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) original[name] = header(message, name) ?? '';
  const origin: DeadLetterOrigin = {
    group: input.group, topic: input.topic, partition: input.partition, offset: message.offset,
    attempts: input.attempts, error: errorText(input.error), failedAt: new Date().toISOString(),
  };
  const headers: IHeaders = { ...original, ...deadLetterHeaders(origin) };
  await producer.send({ topic: deadLetterTopic(input.prefix, input.group), acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
  return { origin, original };
}
