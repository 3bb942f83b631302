/** The reference an upcast OrderPlaced carries in place of a card token: no provider knows it. */
export const REDACTED_PAYMENT_REF = 'pm_redacted';

/**
 * Upcasts OrderPlaced v2 data to v3: the card token (`paymentToken`) that v2 stored is dropped
 * as the event is read and replaced by {@link REDACTED_PAYMENT_REF}, so it never reaches a
 * projection, Kafka, a log or a dead letter again. Everything else is kept as is (v3 validates it).
 */
export function upcastOrderPlacedV2(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const { paymentToken: _token, ...rest } = data as Record<string, unknown>;
  return { ...rest, paymentRef: REDACTED_PAYMENT_REF };
}
