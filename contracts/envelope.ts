import { z } from 'zod';
import { ContractError } from './errors.ts';
import { parseEventData } from './events/parse.ts';
import { CURRENT_VERSION, type DomainEvent } from './events/registry.ts';
import { toIssues } from './primitives.ts';

/** An event with everything needed to store, publish and trace it. */
export interface EventEnvelope<E extends DomainEvent = DomainEvent> {
  /** uuid, unique per event; consumers dedupe on it. */
  eventId: string;
  type: E['type'];
  /** Schema version of `data` after upcasting, i.e. the current version. */
  version: number;
  /** e.g. `order-<uuid>`, `inventory-<sku>`, `product-<sku>`, `payment-<orderId>`. */
  streamId: string;
  /** 1-based position in the stream. */
  streamVersion: number;
  /** bigint as a decimal string; `"0"` before the event is stored. */
  globalPosition: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
  /** e.g. `orderflow/command-side`. */
  source: string;
  correlationId: string;
  causationId: string | null;
  /** W3C trace context. */
  traceparent: string | null;
  data: E['data'];
  metadata: Record<string, string>;
}

/** Inputs of {@link makeEnvelope}; ids and time are supplied by the caller. */
export interface MakeEnvelopeInput<E extends DomainEvent> {
  event: E;
  eventId: string;
  streamId: string;
  streamVersion: number;
  occurredAt: string;
  correlationId: string;
  /** @default null */
  causationId?: string | null;
  /** @default null */
  traceparent?: string | null;
  /** @default "orderflow/command-side" */
  source?: string;
  /** @default "0" (not yet stored) */
  globalPosition?: string;
  /** @default {} */
  metadata?: Record<string, string>;
}

/**
 * Wraps a current-version event in an envelope. Pure: no clock, no randomness.
 * @throws ContractError `INVALID_ENVELOPE` when `streamVersion` is not a positive integer.
 */
export function makeEnvelope<E extends DomainEvent>(input: MakeEnvelopeInput<E>): EventEnvelope<E> {
  if (!Number.isSafeInteger(input.streamVersion) || input.streamVersion < 1) {
    throw new ContractError('INVALID_ENVELOPE', `streamVersion must be a positive integer, got ${input.streamVersion}`);
  }
  return {
    eventId: input.eventId,
    type: input.event.type,
    version: CURRENT_VERSION[input.event.type],
    streamId: input.streamId,
    streamVersion: input.streamVersion,
    globalPosition: input.globalPosition ?? '0',
    occurredAt: input.occurredAt,
    source: input.source ?? 'orderflow/command-side',
    correlationId: input.correlationId,
    causationId: input.causationId ?? null,
    traceparent: input.traceparent ?? null,
    data: input.event.data,
    metadata: input.metadata ?? {},
  };
}

const RawEnvelope = z.object({
  eventId: z.string().min(1),
  type: z.string().min(1),
  version: z.int().positive(),
  streamId: z.string().min(1),
  streamVersion: z.int().positive(),
  globalPosition: z.string().regex(/^\d+$/),
  occurredAt: z.string().min(1),
  source: z.string(),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  traceparent: z.string().nullable(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.string()),
});

/**
 * Validates an envelope received from Kafka or read from the store, upcasting its
 * data; the result carries the current `version`.
 * @throws ContractError `INVALID_ENVELOPE` for malformed envelope fields, and whatever
 * {@link parseEventData} throws for the data.
 */
export function parseEnvelope(raw: unknown): EventEnvelope {
  const env = RawEnvelope.safeParse(raw);
  if (!env.success) throw new ContractError('INVALID_ENVELOPE', 'envelope is invalid', toIssues(env.error));
  const event = parseEventData(env.data.type, env.data.version, env.data.data);
  return { ...env.data, type: event.type, version: CURRENT_VERSION[event.type], data: event.data };
}

/** The `{ type, data }` event inside an envelope, re-correlated for `switch` narrowing. */
export function eventOf<E extends DomainEvent>(envelope: EventEnvelope<E>): E {
  // The envelope's type and data were produced together (makeEnvelope/parseEnvelope).
  return { type: envelope.type, data: envelope.data } as E;
}
