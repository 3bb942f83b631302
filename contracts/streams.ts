import type { EventFamily } from './events/registry.ts';

/** The aggregates whose events are stored, one stream per instance. */
export type AggregateKind = 'order' | 'inventory' | 'payment' | 'product';

/** Stream-id prefix, aggregate kind and event family (hence Kafka topic) of each aggregate. */
const KINDS: readonly { kind: AggregateKind; prefix: string; family: EventFamily }[] = [
  { kind: 'order', prefix: 'order-', family: 'orders' },
  { kind: 'inventory', prefix: 'inventory-', family: 'inventory' },
  { kind: 'payment', prefix: 'payment-', family: 'payments' },
  { kind: 'product', prefix: 'product-', family: 'catalogue' },
];

/** The stream id of one aggregate instance: `order-<orderId>`, `inventory-<sku>`, `payment-<orderId>`, `product-<sku>`. */
export function streamIdOf(kind: AggregateKind, id: string): string {
  return `${kind}-${id}`;
}

/** A stream id taken apart: its aggregate kind, event family and the id inside it. */
export interface ParsedStreamId {
  kind: AggregateKind;
  family: EventFamily;
  id: string;
}

/** Parses a stream id; undefined for an unknown prefix or an empty id. */
export function parseStreamId(streamId: string): ParsedStreamId | undefined {
  for (const k of KINDS) {
    if (streamId.startsWith(k.prefix) && streamId.length > k.prefix.length) return { kind: k.kind, family: k.family, id: streamId.slice(k.prefix.length) };
  }
  return undefined;
}

/** The event family (hence topic) of a stream, from its id's prefix; undefined for an unknown prefix. */
export function familyOfStream(streamId: string): EventFamily | undefined {
  return parseStreamId(streamId)?.family;
}
