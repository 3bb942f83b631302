/** Outcome of {@link RateLimiter.take}. */
export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** A per-key token bucket limiter held in memory (one per process). */
export interface RateLimiter {
  /** Spends one token of `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision;
  /** Number of keys tracked (never above `maxKeys`). */
  readonly size: number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained requests per minute per key; also the burst size. */
  perMinute: number;
  /** Keys kept; the least recently used is forgotten beyond it. @default 10_000 */
  maxKeys?: number;
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key (a principal's subject, or `anon:<ip>`): capacity `perMinute`, refilled
 * continuously at `perMinute / 60` tokens a second. Memory is bounded by `maxKeys` (LRU): a
 * forgotten key starts again with a full bucket, which errs towards serving.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const t = now();
      const found = buckets.get(key);
      const bucket = found ?? { tokens: capacity, at: t };
      if (found) buckets.delete(key); // re-insert below: Map order is the LRU order
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(key, bucket);
      while (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest === undefined) break;
        buckets.delete(oldest);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true, remaining: Math.floor(bucket.tokens) };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}
