import type { KafkaMessage } from 'kafkajs';
import { H, header } from '../../messaging/index.ts';

/** What a message of a type the projection does not handle amounts to: no ops, at its log position. */
export interface UnhandledMessage {
  message: KafkaMessage;
  ops: [];
  position: string;
  occurredAt?: number;
}

/**
 * The no-op outcome of a message whose `type` header names a type outside `handled`, read from its
 * headers alone (the relay sets them from the stored row): its value is neither parsed nor validated,
 * since nothing of it is written. Undefined when the message must be decoded: a handled type, or
 * headers that do not say (a message from elsewhere), which then take the full decode and its checks.
 */
export function unhandledMessage(message: KafkaMessage, handled: ReadonlySet<string>): UnhandledMessage | undefined {
  const type = header(message, H.type);
  const position = header(message, H.position);
  if (type === undefined || handled.has(type) || position === undefined || position === '') return undefined;
  const occurredAt = Date.parse(header(message, H.occurredAt) ?? '');
  return { message, ops: [], position, ...(Number.isFinite(occurredAt) && { occurredAt }) };
}
