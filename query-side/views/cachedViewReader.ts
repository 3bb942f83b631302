import { counter, gauge } from '../../platform/index.ts';
import { inventoryProjection, orderDetailProjection, ordersByCustomerProjection, type InventoryDoc, type OrderByCustomerDoc, type OrderDetailDoc } from '../../projector/index.ts';
import { createViewCache, type CacheChange, type ReadFloor, type ViewCache } from './viewCache.ts';
import type { ViewReader } from './viewReader.ts';

/** Bounds of the per-process view cache (`ORDERFLOW_VIEW_CACHE_ENTRIES`, `ORDERFLOW_VIEW_CACHE_MB`). */
export interface ViewCacheConfig {
  entries: number;
  megabytes: number;
}

const lookups = () => counter<'view' | 'outcome'>({ name: 'orderflow_view_cache_lookups_total', help: 'View cache lookups by view and outcome (hit, miss)', labelNames: ['view', 'outcome'] });
const evictions = () => counter<'view'>({ name: 'orderflow_view_cache_evictions_total', help: 'View cache entries evicted by LRU pressure', labelNames: ['view'] });
const resets = () => counter<'projection'>({ name: 'orderflow_view_cache_resets_total', help: 'Times a projection was dropped from the view cache (gap in notifications, generation switch)', labelNames: ['projection'] });

/**
 * The view reader with point reads (`orderDetails`, `orderRows`, `stock`) served from a per-process
 * LRU of view documents, kept current by `apply` (every "view changed" notification, before the
 * consistency tracker sees it). Each point read takes an optional {@link ReadFloor}: the positions
 * the caller waited for, so a cached document older than them is never served (see `createViewCache`).
 * Other reads pass through. Metrics: `orderflow_view_cache_lookups_total{view,outcome}`,
 * `orderflow_view_cache_hit_ratio`, `orderflow_view_cache_evictions_total`, `orderflow_view_cache_entries`,
 * `orderflow_view_cache_bytes`, `orderflow_view_cache_resets_total`.
 */
export function createCachedViewReader(views: ViewReader, config: ViewCacheConfig) {
  const evicted = evictions();
  const counted = lookups();
  const cache: ViewCache = createViewCache({
    maxEntries: config.entries, maxBytes: config.megabytes * 1_048_576,
    onEvict: (view) => evicted.inc({ view }),
    onLookup: (view, hit) => counted.inc({ view, outcome: hit ? 'hit' : 'miss' }),
  });
  const reset = resets();
  let resetsSeen = 0;
  gauge({
    name: 'orderflow_view_cache_hit_ratio', help: 'View cache hits / lookups since start (this process)',
    collect() { const s = cache.stats(); this.set(s.hits + s.misses > 0 ? s.hits / (s.hits + s.misses) : 0); },
  });
  gauge({ name: 'orderflow_view_cache_entries', help: 'Documents in the view cache', collect() { this.set(cache.stats().entries); } });
  gauge({ name: 'orderflow_view_cache_bytes', help: 'Approximate bytes of the view cache', collect() { this.set(cache.stats().bytes); } });

  /** Point reads of one view through the cache, one store read per missing key (in parallel). */
  function cached<T extends object>(projection: string, view: string, read: (ids: readonly string[]) => Promise<(T | undefined)[]>) {
    return async (ids: readonly string[], floor?: ReadFloor): Promise<(T | undefined)[]> => {
      const docs = await Promise.all(ids.map((id) => cache.get<T>(projection, view, id, floor, async () => (await read([id]))[0] ?? null)));
      return docs.map((d) => d ?? undefined);
    };
  }

  return {
    ...views,
    orderDetails: cached<OrderDetailDoc>(orderDetailProjection.name, 'order_detail', views.orderDetails),
    orderRows: cached<OrderByCustomerDoc>(ordersByCustomerProjection.name, 'orders_by_customer', views.orderRows),
    stock: cached<InventoryDoc>(inventoryProjection.name, 'inventory', views.stock),
    /**
     * The order_detail document `id` if the cache answers it now for `floor` (`null`: cached as
     * missing), else undefined: read it through {@link Loaders} then.
     */
    cachedOrderDetail: (id: string, floor?: ReadFloor): OrderDetailDoc | null | undefined => cache.peek<OrderDetailDoc>('order_detail', id, floor),
    /** Applies a "view changed" notification to the cache (drops touched documents, moves positions). */
    applyChange(change: CacheChange): void {
      cache.apply(change);
      const s = cache.stats();
      if (s.resets > resetsSeen) reset.inc({ projection: change.projection }, s.resets - resetsSeen);
      resetsSeen = s.resets;
    },
    /** Whether reads with `floor` can be answered from the cache now (tests, diagnostics). */
    covers: (floor: ReadFloor) => cache.covers(floor),
    /** The cache's counters (tests, bench). */
    cacheStats: () => cache.stats(),
  };
}

/** The cached reader's public face: a {@link ViewReader} whose point reads take a floor. */
export type CachedViewReader = ReturnType<typeof createCachedViewReader>;
