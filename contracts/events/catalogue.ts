import { z } from 'zod';
import { Id, Money } from '../primitives.ts';
import type { EventsOf } from './family.ts';

/** ProductDefined v1: a SKU enters the catalogue. Stream `product-<sku>`. */
export const ProductDefinedData = z.object({ sku: Id, name: z.string().min(1), unitPrice: Money });
export type ProductDefinedData = z.infer<typeof ProductDefinedData>;

/** ProductPriceChanged v1: new unit price (same currency as before). */
export const ProductPriceChangedData = z.object({ sku: Id, unitPrice: Money });
export type ProductPriceChangedData = z.infer<typeof ProductPriceChangedData>;

/** Current version + schema of every catalogue event (topic `catalogue.events`). */
export const catalogueEvents = {
  ProductDefined: { version: 1, schema: ProductDefinedData },
  ProductPriceChanged: { version: 1, schema: ProductPriceChangedData },
} as const;

/** Union of catalogue events at their current version. */
export type CatalogueEvent = EventsOf<typeof catalogueEvents>;
