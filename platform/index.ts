// Public edge of the platform: configuration, logging, telemetry and version, used by every part.
export { ConfigError, loadConfig, requireEdgeSecrets, type AppConfig, type AppEnv } from './config.ts';
export type { ConsistencyConfig, RateLimitConfig, SigningKey } from './edgeConfig.ts';
export { parseEnv } from './envSchema.ts';
export { childLogger, createLogger, lazyLogger, type Logger } from './logger.ts';
export { collectProcessMetrics, contextFromTraceparent, CORRELATION_ID, CORRELATION_IDS, counter, currentTraceparent, distinctValues, gauge, histogram, linksTo, metrics, parentContext, withSpan } from './telemetry.ts';
export { onFatal, reportFatal, type FatalReport } from './fatal.ts';
export { appVersion } from './version.ts';
export { STORE_TIMEOUTS } from './timeouts.ts';
export { isLoopbackHost } from './authPolicy.ts';
export { heapAfterGc, type HeapSample } from './heap.ts';
export { watchPoolErrors } from './poolErrors.ts';
