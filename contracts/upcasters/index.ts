export { UPCASTERS, upcast, type Upcaster } from './registry.ts';
export { OrderPlacedV1Data, upcastOrderPlacedV1 } from './orderPlaced.ts';
export { REDACTED_PAYMENT_REF, upcastOrderPlacedV2 } from './orderPlacedV2.ts';
