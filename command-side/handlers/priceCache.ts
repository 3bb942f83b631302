import type { Money } from '../../contracts/index.ts';
import { productDecider } from '../domain/aggregate.ts';
import type { PriceCatalogue } from '../domain/order/pricing.ts';
import type { StreamGuard } from '../eventStore/sql/appendToStreamAtomic.ts';
import type { CommandHandler } from './commandHandler.ts';

/** Prices of some SKUs and the catalogue stream versions they were read at. */
export interface PricedSkus {
  catalogue: PriceCatalogue;
  /** One per known SKU: the append lands only while every one is still at that version. */
  guards: StreamGuard[];
}

/** A per-process cache of catalogue prices, made safe by the append's guards (never trusted alone). */
export interface PriceCache {
  /** Prices of `skus`, from memory where present, else read from their streams. Unknown SKUs are absent. */
  lookUp(skus: readonly string[]): Promise<PricedSkus>;
  /** Forgets the entries of these product streams (after the append reported them stale). */
  invalidate(streamIds: readonly string[]): void;
}

interface Entry {
  unitPrice: Money;
  version: number;
}

/** Options of {@link createPriceCache}. */
export interface PriceCacheOptions {
  /** Entries kept; the oldest read goes first. @default 10000 */
  maxEntries?: number;
}

/**
 * Creates a price cache over the product streams. An entry may be stale: the caller passes the
 * returned guards to the append, which refuses a decision made on an old version, and then
 * invalidates and retries. Unknown SKUs are never cached (a product defined later must be seen).
 * Concurrent misses of one SKU share one read.
 */
export function createPriceCache(handler: CommandHandler, options: PriceCacheOptions = {}): PriceCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Promise<Entry | undefined>>();

  function read(sku: string): Promise<Entry | undefined> {
    const cached = entries.get(sku);
    if (cached) return cached;
    const loading = handler.load(productDecider, sku).then(({ state, version }) => (state.status === 'defined' ? { unitPrice: state.unitPrice, version } : undefined));
    entries.set(sku, loading);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    loading.then((e) => { if (!e && entries.get(sku) === loading) entries.delete(sku); }, () => { if (entries.get(sku) === loading) entries.delete(sku); });
    return loading;
  }

  return {
    async lookUp(skus) {
      const found = await Promise.all(skus.map(read));
      const catalogue: Record<string, { unitPrice: Money } | undefined> = {};
      const guards: StreamGuard[] = [];
      skus.forEach((sku, i) => {
        const e = found[i];
        catalogue[sku] = e && { unitPrice: e.unitPrice };
        if (e) guards.push({ streamId: productDecider.streamId(sku), version: e.version });
      });
      return { catalogue, guards };
    },
    invalidate(streamIds) {
      for (const id of streamIds) entries.delete(id.slice('product-'.length));
    },
  };
}

const perHandler = new WeakMap<CommandHandler, PriceCache>();

/** The one price cache of a command handler (handlers live as long as their process). */
export function priceCacheOf(handler: CommandHandler): PriceCache {
  let cache = perHandler.get(handler);
  if (!cache) perHandler.set(handler, (cache = createPriceCache(handler)));
  return cache;
}
