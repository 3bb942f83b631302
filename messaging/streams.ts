import type { EventFamily } from '../contracts/events/index.ts';

const PREFIXES: Record<string, EventFamily> = { 'order-': 'orders', 'inventory-': 'inventory', 'product-': 'catalogue', 'payment-': 'payments' };

/** The event family (hence topic) of a stream, from its id's prefix; undefined for an unknown prefix. */
export function familyOfStream(streamId: string): EventFamily | undefined {
  for (const [prefix, family] of Object.entries(PREFIXES)) if (streamId.startsWith(prefix)) return family;
  return undefined;
}
