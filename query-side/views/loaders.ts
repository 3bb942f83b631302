import DataLoader from 'dataloader';
import type { InventoryDoc, OrderDetailDoc, SalesBucket } from '../../projector/index.ts';
import type { CachedViewReader } from './cachedViewReader.ts';
import type { ReadFloor } from './viewCache.ts';

/** Per-request DataLoaders: one view read per kind per tick, however many fields ask. */
export interface Loaders {
  order: DataLoader<string, OrderDetailDoc | undefined>;
  stock: DataLoader<string, InventoryDoc | undefined>;
  sales: DataLoader<string, SalesBucket | undefined>;
}

/**
 * Fresh loaders for one request (never shared: they cache). `floor` is the request's read floor at
 * the moment a batch is read: a field that waited for a token adds to it before it loads.
 */
export function createLoaders(views: CachedViewReader, floor: ReadFloor = []): Loaders {
  const atFloor = () => (floor.length > 0 ? floor : undefined);
  // Each loader is built on first use: most operations read one kind (or none), and this runs per request.
  let order: Loaders['order'] | undefined;
  let stock: Loaders['stock'] | undefined;
  let sales: Loaders['sales'] | undefined;
  return {
    get order() { return (order ??= new DataLoader((ids) => views.orderDetails(ids, atFloor()), { maxBatchSize: 500 })); },
    get stock() { return (stock ??= new DataLoader((skus) => views.stock(skus, atFloor()), { maxBatchSize: 500 })); },
    get sales() { return (sales ??= new DataLoader((skus) => views.sales(skus), { maxBatchSize: 500 })); },
  };
}
