import DataLoader from 'dataloader';
import type { InventoryDoc, OrderDetailDoc, SalesBucket } from '../../projector/index.ts';
import type { ViewReader } from './viewReader.ts';

/** Per-request DataLoaders: one view read per kind per tick, however many fields ask. */
export interface Loaders {
  order: DataLoader<string, OrderDetailDoc | undefined>;
  stock: DataLoader<string, InventoryDoc | undefined>;
  sales: DataLoader<string, SalesBucket | undefined>;
}

/** Fresh loaders for one request (never shared: they cache). */
export function createLoaders(views: ViewReader): Loaders {
  return {
    order: new DataLoader((ids) => views.orderDetails(ids), { maxBatchSize: 500 }),
    stock: new DataLoader((skus) => views.stock(skus), { maxBatchSize: 500 }),
    sales: new DataLoader((skus) => views.sales(skus), { maxBatchSize: 500 }),
  };
}
