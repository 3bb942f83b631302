import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { loadConfig } from '../../platform/config.ts';
import { createMemoryRateLimiter } from '../limits/rateLimit.ts';
import { authenticateWithin } from './admission.ts';

const config = loadConfig({ ORDERFLOW_AUTH_MODE: 'dev', LOG_LEVEL: 'silent' });
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof GraphQLError ? e.extensions['code'] : 'thrown'));

describe('authenticateWithin: failed authentications have their own budget per address', () => {
  it('each refused token spends one unit; once spent, even a valid token is RATE_LIMITED with a retry hint', async () => {
    const budget = createMemoryRateLimiter({ perMinute: 2, keyPrefix: 'adm1' });
    const bad = () => authenticateWithin(budget, 'Bearer garbage', config, '10.0.0.1', 'http');
    expect(await codeOf(bad())).toBe('UNAUTHENTICATED');
    expect(await codeOf(bad())).toBe('UNAUTHENTICATED');
    const third = await bad().then(() => undefined, (e: unknown) => e as GraphQLError);
    expect(third?.extensions).toMatchObject({ code: 'RATE_LIMITED', http: { status: 429 } });
    expect(Number(third?.extensions['retryAfterSeconds'])).toBeGreaterThanOrEqual(1);
    expect(await codeOf(authenticateWithin(budget, 'Bearer dev:alice:customer', config, '10.0.0.1', 'http'))).toBe('RATE_LIMITED');
  });

  it('valid tokens and anonymous callers spend nothing, and addresses are apart', async () => {
    const budget = createMemoryRateLimiter({ perMinute: 1, keyPrefix: 'adm2' });
    for (let i = 0; i < 5; i += 1) {
      expect(await authenticateWithin(budget, 'Bearer dev:alice:customer', config, '10.0.0.2', 'ws')).toMatchObject({ subject: 'alice' });
      expect(await authenticateWithin(budget, undefined, config, '10.0.0.2', 'ws')).toMatchObject({ roles: [] });
    }
    expect(await codeOf(authenticateWithin(budget, 'Bearer nope', config, '10.0.0.2', 'ws'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(authenticateWithin(budget, 'Bearer nope', config, '10.0.0.2', 'ws'))).toBe('RATE_LIMITED');
    expect(await codeOf(authenticateWithin(budget, 'Bearer nope', config, '10.0.0.3', 'ws'))).toBe('UNAUTHENTICATED');
  });
});
