import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { parseEnvelope, type EventEnvelope } from '../contracts/index.ts';

/** Header names every event message carries (W3C `traceparent` included for span links). */
export const H = {
  eventId: 'eventId',
  type: 'type',
  version: 'version',
  streamId: 'streamId',
  streamVersion: 'streamVersion',
  globalPosition: 'globalPosition',
  position: 'position',
  correlationId: 'correlationId',
  causationId: 'causationId',
  traceparent: 'traceparent',
  occurredAt: 'occurredAt',
  publishedAt: 'publishedAt',
} as const;

/** An event as it travels: the envelope (data as stored) and its log position "xid.gp". */
export interface WireEvent {
  envelope: Omit<EventEnvelope, 'type' | 'data'> & { type: string; data: unknown };
  position: string;
}

/** Encodes an event as a Kafka message keyed by stream id, so a stream stays in one partition, in order. */
export function encodeEvent(e: WireEvent, publishedAt: number): Message {
  const env = e.envelope;
  const headers: IHeaders = {
    [H.eventId]: env.eventId,
    [H.type]: env.type,
    [H.version]: String(env.version),
    [H.streamId]: env.streamId,
    [H.streamVersion]: String(env.streamVersion),
    [H.globalPosition]: env.globalPosition,
    [H.position]: e.position,
    [H.correlationId]: env.correlationId,
    [H.occurredAt]: env.occurredAt,
    [H.publishedAt]: String(publishedAt),
  };
  if (env.causationId) headers[H.causationId] = env.causationId;
  if (env.traceparent) headers[H.traceparent] = env.traceparent;
  return { key: env.streamId, value: JSON.stringify(env), headers };
}

/** Reads one header as a string. */
export function header(message: Pick<KafkaMessage, 'headers'>, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}

/** A received event: current-version envelope (upcast on read) and its log position. */
export interface ReceivedEvent {
  envelope: EventEnvelope;
  position: string;
}

/**
 * Decodes a Kafka message into a current-version envelope.
 * @throws ContractError for an unknown type or invalid data (a poison message).
 */
export function decodeEvent(message: Pick<KafkaMessage, 'headers' | 'value'>): ReceivedEvent {
  const raw: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
  return { envelope: parseEnvelope(raw), position: header(message, H.position) ?? '0.0' };
}
