import { Redis } from 'ioredis';
import { gauge, type AppConfig, type Logger } from '../../platform/index.ts';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter, type RateLimiterOptions } from './rateLimit.ts';

const shared = gauge({ name: 'orderflow_rate_limit_shared', help: '1 while the rate limits are shared through Redis, 0 while this process falls back to its own budgets' });

/** The budgets the API edge spends, and the connection behind them. */
export interface EdgeLimiters {
  /** Operations per principal (`sub:<subject>`, or `ip:<address>` when anonymous): ORDERFLOW_RATE_LIMIT_PER_MINUTE. */
  requests: RateLimiter;
  /** Failed authentications per client address: ORDERFLOW_AUTH_FAILURES_PER_MINUTE. */
  authFailures: RateLimiter;
  /**
   * Opens the Redis connection (nothing connects before: a server that is never started holds no
   * socket). Resolves once the first attempt ended either way, so the first requests already
   * spend the shared budget when Redis is up, and start-up is not held when it is down.
   */
  connect(): Promise<void>;
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/**
 * A Redis client that fails fast instead of queueing: no offline queue, a short command timeout,
 * reconnects every ≤ 2 s forever. The first failure of an outage is logged once (warn), recovery
 * once (info); the reconnect errors in between are not.
 */
function redisClient(url: string, logger: Logger): { redis: Redis; connect(): Promise<void>; close(): Promise<void> } {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    commandTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    connectionName: 'orderflow-api',
  });
  let degraded = false;
  let closing = false;
  shared.set(0);
  redis.on('ready', () => {
    shared.set(1);
    if (degraded) logger.info('Redis reachable again: rate limits are shared across replicas again');
    degraded = false;
  });
  const lost = (err?: unknown) => {
    shared.set(0);
    if (degraded || closing) return;
    degraded = true;
    logger.warn({ err }, 'Redis unreachable: rate limits fall back to per-process budgets until it is back');
  };
  redis.on('error', lost);
  redis.on('close', () => lost());
  return {
    redis,
    async connect() {
      // A failed first attempt is logged by the error handler; the retry strategy keeps trying.
      await redis.connect().catch(() => undefined);
    },
    async close() {
      closing = true;
      if (redis.status === 'wait') return redis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The edge's budgets: through Redis when REDIS_URL is set (one budget for every replica; keys are
 * prefixed with the topic prefix, so deployments sharing a Redis stay apart), else per process.
 */
export function createEdgeLimiters(config: Pick<AppConfig, 'limits' | 'rateLimit' | 'kafka'>, logger: Logger): EdgeLimiters {
  const base = `orderflow:rl:${config.kafka.topicPrefix}`;
  const requests: RateLimiterOptions = { perMinute: config.limits.rateLimitPerMinute, keyPrefix: `${base}req` };
  const authFailures: RateLimiterOptions = { perMinute: config.rateLimit.authFailuresPerMinute, keyPrefix: `${base}authfail` };
  const { redisUrl } = config.rateLimit;
  if (!redisUrl) {
    return { requests: createMemoryRateLimiter(requests), authFailures: createMemoryRateLimiter(authFailures), connect: () => Promise.resolve(), close: () => Promise.resolve() };
  }
  const { redis, connect, close } = redisClient(redisUrl, logger.child({ component: 'rate-limit' }));
  return { requests: createRedisRateLimiter(redis, requests), authFailures: createRedisRateLimiter(redis, authFailures), connect, close };
}
