import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireEdgeSecrets } from './config.ts';
import { DEV_CONSISTENCY_KEY } from './edgeConfig.ts';

const KEY = 'k'.repeat(32);
const PROD = {
  ORDERFLOW_ENV: 'production',
  ORDERFLOW_JWT_SECRET: 'x'.repeat(32),
  ORDERFLOW_JWT_ISSUER: 'https://id.example/',
  ORDERFLOW_JWT_AUDIENCE: 'orderflow',
  DATABASE_URL: 'postgres://app:s3cret@db:5432/orderflow',
  MONGO_URL: 'mongodb://mongo:27017/?replicaSet=rs0',
};

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('edge configuration: consistency tokens and the shared rate limit', () => {
  it('development: the fixed dev key (replicas agree), the local stack Redis, 30 auth failures a minute, no proxy trusted', () => {
    const c = loadConfig({});
    expect(c.consistency).toEqual({ signing: DEV_CONSISTENCY_KEY, previousKeys: [], pollMs: 250, maxWaitsPerPrincipal: 20 });
    expect(c.rateLimit).toEqual({ redisUrl: 'redis://127.0.0.1:6380', authFailuresPerMinute: 30, trustedProxyHops: 0 });
    expect(loadConfig({}).consistency.signing).toEqual(c.consistency.signing);
    expect(() => requireEdgeSecrets(c)).not.toThrow();
  });

  it('reads a key, its id and previous keys for rotation', () => {
    const c = loadConfig({
      ORDERFLOW_CONSISTENCY_KEY: KEY, ORDERFLOW_CONSISTENCY_KEY_ID: '2026-12', ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: ` 2026-11:${'o'.repeat(32)} ,old_1:${'p'.repeat(40)}`,
      ORDERFLOW_CONSISTENCY_POLL_MS: '100', ORDERFLOW_CONSISTENCY_MAX_WAITS: '5',
      REDIS_URL: 'redis://:pw@cache:6379/0', ORDERFLOW_AUTH_FAILURES_PER_MINUTE: '100000', ORDERFLOW_TRUSTED_PROXY_HOPS: '1',
    });
    expect(c.consistency).toEqual({
      signing: { keyId: '2026-12', key: KEY },
      previousKeys: [{ keyId: '2026-11', key: 'o'.repeat(32) }, { keyId: 'old_1', key: 'p'.repeat(40) }],
      pollMs: 100, maxWaitsPerPrincipal: 5,
    });
    expect(c.rateLimit).toEqual({ redisUrl: 'redis://:pw@cache:6379/0', authFailuresPerMinute: 100_000, trustedProxyHops: 1 });
    expect(loadConfig({ ORDERFLOW_CONSISTENCY_KEY: KEY }).consistency.signing).toEqual({ keyId: 'k1', key: KEY });
  });

  it.each([
    [{ ORDERFLOW_CONSISTENCY_KEY: 'short' }, 'ORDERFLOW_CONSISTENCY_KEY'],
    [{ ORDERFLOW_CONSISTENCY_KEY_ID: 'k2' }, 'ORDERFLOW_CONSISTENCY_KEY'],
    [{ ORDERFLOW_CONSISTENCY_KEY: KEY, ORDERFLOW_CONSISTENCY_KEY_ID: 'has space' }, 'ORDERFLOW_CONSISTENCY_KEY_ID'],
    [{ ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: `nokey` }, 'ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS'],
    [{ ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: `a:short` }, 'ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS'],
    [{ ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: `a:${KEY},a:${KEY}` }, 'ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS'],
    [{ ORDERFLOW_CONSISTENCY_KEY: KEY, ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: `k1:${'o'.repeat(32)}` }, 'ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS'],
    [{ ORDERFLOW_CONSISTENCY_POLL_MS: '0' }, 'ORDERFLOW_CONSISTENCY_POLL_MS'],
    [{ ORDERFLOW_CONSISTENCY_MAX_WAITS: 'many' }, 'ORDERFLOW_CONSISTENCY_MAX_WAITS'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    [{ ORDERFLOW_TRUSTED_PROXY_HOPS: '-1' }, 'ORDERFLOW_TRUSTED_PROXY_HOPS'],
    [{ ORDERFLOW_AUTH_FAILURES_PER_MINUTE: '0' }, 'ORDERFLOW_AUTH_FAILURES_PER_MINUTE'],
  ])('rejects %j naming %s', (env, variable) => {
    const err = thrown(() => loadConfig(env));
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(new RegExp(`^invalid ${variable}: `));
  });

  it('never echoes keys or the Redis URL in an error', () => {
    expect(thrown(() => loadConfig({ ORDERFLOW_CONSISTENCY_KEY: 'secret-but-short' })).message).not.toContain('secret-but-short');
    expect(thrown(() => loadConfig({ ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: 'a:secret-but-short' })).message).not.toContain('secret-but-short');
    expect(thrown(() => loadConfig({ REDIS_URL: 'http://user:hunter2@x' })).message).not.toContain('hunter2');
  });

  it('production: no dev key and no default Redis; the serve role refuses to start without them, other roles do not care', () => {
    const c = loadConfig(PROD);
    expect(c.consistency.signing).toBeUndefined();
    expect(c.rateLimit.redisUrl).toBeUndefined();
    expect(thrown(() => requireEdgeSecrets(c)).variable).toBe('ORDERFLOW_CONSISTENCY_KEY');
    expect(thrown(() => requireEdgeSecrets(loadConfig({ ...PROD, ORDERFLOW_CONSISTENCY_KEY: KEY }))).variable).toBe('REDIS_URL');
    expect(() => requireEdgeSecrets(loadConfig({ ...PROD, ORDERFLOW_CONSISTENCY_KEY: KEY, REDIS_URL: 'rediss://cache:6380' }))).not.toThrow();
  });
});
