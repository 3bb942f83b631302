export { UPCASTERS, upcast, type Upcaster } from './registry.ts';
export { OrderPlacedV1Data, upcastOrderPlacedV1 } from './orderPlaced.ts';
