import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
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

/**
 * Copies a message the group gives up on to its dead-letter topic (`<prefix>dlq.<group>`), with
 * the original headers plus `dlq-*` headers naming the error, attempts and origin (the same
 * header names the projector uses). Call it before the offset moves past the message.
 * @throws KafkaJSError when the broker does not acknowledge (the caller must not move on).
 */
export async function publishDeadLetter(producer: Producer, input: DeadLetterInput): Promise<void> {
  const { message } = input;
  const error = input.error instanceof Error ? `${input.error.name}: ${input.error.message}` : String(input.error);
  const original: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) original[name] = header(message, name) ?? '';
  const headers: IHeaders = {
    ...original,
    'dlq-error': error.slice(0, 2000),
    'dlq-attempts': String(input.attempts),
    'dlq-original-topic': input.topic,
    'dlq-original-partition': String(input.partition),
    'dlq-original-offset': message.offset,
    'dlq-failed-at': new Date().toISOString(),
    'dlq-group': input.group,
  };
  await producer.send({ topic: deadLetterTopic(input.prefix, input.group), acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
}
