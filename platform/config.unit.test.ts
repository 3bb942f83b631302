import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const SECRET = 'x'.repeat(32);
/** The least a production deployment must set. */
const PROD = {
  ORDERFLOW_ENV: 'production',
  ORDERFLOW_JWT_SECRET: SECRET,
  ORDERFLOW_JWT_ISSUER: 'https://id.example/',
  ORDERFLOW_JWT_AUDIENCE: 'orderflow',
  DATABASE_URL: 'postgres://app:s3cret@db:5432/orderflow',
  MONGO_URL: 'mongodb://mongo:27017/?replicaSet=rs0',
};

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('gives local development defaults with no variables set', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 4000, maxBodyBytes: 1_048_576 });
    expect(c.postgres.url).toBe('postgres://orderflow:orderflow@127.0.0.1:5433/orderflow');
    expect(c.kafka).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'orderflow', topicPrefix: '', topicPartitions: 6, topicReplication: 1 });
    expect(c.mongo).toEqual({ url: 'mongodb://127.0.0.1:27017/?directConnection=true', db: 'orderflow' });
    expect(c.auth).toEqual({ mode: 'dev', algorithms: ['HS256'], requireExp: false });
    expect(c.limits).toEqual({ maxQueryDepth: 10, maxQueryCost: 1000, maxAliases: 20, maxDirectives: 50, maxTokens: 5000, rateLimitPerMinute: 600 });
    expect(c.consistencyTimeoutMs).toBe(5000);
    expect(c.logLevel).toBe('info');
  });

  it('follows the local stack when its ports are moved (the variables stack/config.ts reads)', () => {
    const c = loadConfig({ ORDERFLOW_PG_PORT: '5533', ORDERFLOW_KAFKA_PORT: '9292', ORDERFLOW_MONGO_PORT: '27217', ORDERFLOW_REDIS_PORT: '6480' });
    expect(c.postgres.url).toBe('postgres://orderflow:orderflow@127.0.0.1:5533/orderflow');
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9292']);
    expect(c.mongo.url).toBe('mongodb://127.0.0.1:27217/?directConnection=true');
    expect(c.rateLimit.redisUrl).toBe('redis://127.0.0.1:6480');
    // Explicit URLs still win over the stack's ports.
    const named = loadConfig({ ORDERFLOW_PG_PORT: '5533', DATABASE_URL: 'postgres://a:b@db:5432/x', KAFKA_BROKERS: 'k:1' });
    expect(named.postgres.url).toBe('postgres://a:b@db:5432/x');
    expect(named.kafka.brokers).toEqual(['k:1']);
  });

  it('coerces numbers, splits broker lists and accepts port 0', () => {
    const c = loadConfig({ ORDERFLOW_HTTP_PORT: '0', KAFKA_BROKERS: ' a:1, b:2 ,', ORDERFLOW_MAX_QUERY_DEPTH: '7' });
    expect(c.http.port).toBe(0);
    expect(c.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(c.limits.maxQueryDepth).toBe(7);
  });

  it('rebuilds stale projections at start by default, but only warns in production', () => {
    expect(loadConfig({}).projector.rebuildOnStart).toBe('auto');
    expect(loadConfig(PROD).projector.rebuildOnStart).toBe('warn');
    expect(loadConfig({ ...PROD, ORDERFLOW_REBUILD_ON_START: 'auto' }).projector.rebuildOnStart).toBe('auto');
    expect(errorOf({ ORDERFLOW_REBUILD_ON_START: 'always' }).variable).toBe('ORDERFLOW_REBUILD_ON_START');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ORDERFLOW_HTTP_PORT: '', ORDERFLOW_JWKS_URL: '' }).http.port).toBe(4000);
  });

  it.each([
    [{ ORDERFLOW_HTTP_PORT: 'abc' }, 'ORDERFLOW_HTTP_PORT'],
    [{ ORDERFLOW_HTTP_PORT: '70000' }, 'ORDERFLOW_HTTP_PORT'],
    [{ ORDERFLOW_ENV: 'staging' }, 'ORDERFLOW_ENV'],
    [{ KAFKA_BROKERS: 'nohost' }, 'KAFKA_BROKERS'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ORDERFLOW_MAX_QUERY_COST: '-1' }, 'ORDERFLOW_MAX_QUERY_COST'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ORDERFLOW_AUTH_MODE: 'jwt' }, 'ORDERFLOW_JWT_SECRET'],
    [{ ORDERFLOW_AUTH_MODE: 'jwt', ORDERFLOW_JWT_SECRET: 'short' }, 'ORDERFLOW_JWT_SECRET'],
    [{ ORDERFLOW_ENV: 'production', ORDERFLOW_AUTH_MODE: 'dev' }, 'ORDERFLOW_AUTH_MODE'],
    [{ ORDERFLOW_ENV: 'production' }, 'ORDERFLOW_JWT_SECRET'],
    [{ ...PROD, ORDERFLOW_JWT_ISSUER: '' }, 'ORDERFLOW_JWT_ISSUER'],
    [{ ...PROD, ORDERFLOW_JWT_AUDIENCE: '' }, 'ORDERFLOW_JWT_AUDIENCE'],
    [{ ...PROD, DATABASE_URL: '' }, 'DATABASE_URL'],
    [{ ...PROD, DATABASE_URL: 'postgres://orderflow:orderflow@db:5432/orderflow' }, 'DATABASE_URL'],
    [{ ...PROD, MONGO_URL: '' }, 'MONGO_URL'],
    [{ ...PROD, ORDERFLOW_JWT_SECRET: '', ORDERFLOW_JWKS_URL: 'http://id.example/jwks.json' }, 'ORDERFLOW_JWKS_URL'],
    [{ ...PROD, ORDERFLOW_JWT_ALGORITHMS: 'none' }, 'ORDERFLOW_JWT_ALGORITHMS'],
    [{ ...PROD, ORDERFLOW_JWT_ALGORITHMS: 'RS256' }, 'ORDERFLOW_JWT_ALGORITHMS'],
    [{ NODE_ENV: 'production', ORDERFLOW_JWT_SECRET: SECRET }, 'ORDERFLOW_JWT_ISSUER'],
  ])('rejects %j naming %s in one line', (env, variable) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(new RegExp(`^invalid ${variable}: `));
    expect(err.message).not.toContain('\n');
  });

  it('never echoes secret values', () => {
    const err = errorOf({ ORDERFLOW_AUTH_MODE: 'jwt', ORDERFLOW_JWT_SECRET: 'tooshort-secret' });
    expect(err.message).not.toContain('tooshort-secret');
  });

  it('defaults to strict jwt in production and accepts a secret or an https JWKS URL', () => {
    expect(loadConfig(PROD).auth).toEqual({
      mode: 'jwt', jwtSecret: SECRET, issuer: 'https://id.example/', audience: 'orderflow', algorithms: ['HS256'], requireExp: true, maxTokenAgeSeconds: 86_400,
    });
    const jwks = loadConfig({ ...PROD, ORDERFLOW_JWT_SECRET: '', ORDERFLOW_JWKS_URL: 'https://id.example/jwks.json', ORDERFLOW_JWT_ALGORITHMS: 'ES256, RS256', ORDERFLOW_JWT_MAX_AGE_SECONDS: '600' });
    expect(jwks.auth).toEqual({
      mode: 'jwt', jwksUrl: 'https://id.example/jwks.json', issuer: 'https://id.example/', audience: 'orderflow', algorithms: ['ES256', 'RS256'], requireExp: true, maxTokenAgeSeconds: 600,
    });
  });

  it('NODE_ENV=production means production unless ORDERFLOW_ENV says otherwise', () => {
    const { ORDERFLOW_ENV: _env, ...rest } = PROD;
    expect(loadConfig({ ...rest, NODE_ENV: 'production' }).env).toBe('production');
    expect(loadConfig({ NODE_ENV: 'production', ORDERFLOW_ENV: 'development' }).env).toBe('development');
  });

  it('accepts dev tokens by default only on loopback: reachable with nothing configured, every token is refused', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.53']) expect(loadConfig({ ORDERFLOW_HTTP_HOST: host }).auth.mode).toBe('dev');
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'api.internal']) expect(loadConfig({ ORDERFLOW_HTTP_HOST: host }).auth.mode).toBe('none');
    expect(loadConfig({ ORDERFLOW_HTTP_HOST: '0.0.0.0', ORDERFLOW_JWT_SECRET: SECRET }).auth.mode).toBe('jwt');
    // An explicit choice outside production is honoured (a developer's LAN demo).
    expect(loadConfig({ ORDERFLOW_HTTP_HOST: '0.0.0.0', ORDERFLOW_AUTH_MODE: 'dev' }).auth.mode).toBe('dev');
  });
});
