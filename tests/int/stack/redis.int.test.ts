import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../../../stack/config.ts';
import { livePid } from '../../../stack/process.ts';
import { redisDown, redisStatus, redisUp, redisUrl } from '../../../stack/redis.ts';
import { privateRedis, type PrivateRedis } from '../../support/privateRedis.ts';

const privates: PrivateRedis[] = [];

/** A private Redis (own folder and port): this test stops and kills it, never the shared one. */
async function privateConfig(): Promise<StackConfig> {
  const r = await privateRedis();
  privates.push(r);
  return r.cfg;
}

describe('stack: Redis (Debian redis-server on loopback)', () => {
  const started: StackConfig[] = [];
  afterAll(async () => {
    for (const cfg of started) await redisDown(cfg);
    for (const r of privates) await r.remove();
  });

  it('starts once, answers, reports its version and pid, and stops', async () => {
    const cfg = await privateConfig();
    started.push(cfg);
    expect((await redisStatus(cfg)).answers).toBe(false);
    expect(await redisUp(cfg)).toBe(true);
    expect(await redisUp(cfg)).toBe(false); // idempotent: a running server is left alone
    const status = await redisStatus(cfg);
    expect(status).toMatchObject({ name: 'redis', port: cfg.redis.port, answers: true });
    expect(status.version).toMatch(/^7\./);
    expect(status.pid).toBe(livePid(join(cfg.redis.home, 'redis.pid')));

    const client = new Redis(redisUrl(cfg), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      // No persistence: rate-limit counters are not worth a disk write.
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    } finally {
      client.disconnect();
    }
    expect(readFileSync(cfg.redis.log, 'utf8')).toMatch(/Ready to accept connections/);

    expect(await redisDown(cfg)).toBe(true);
    expect((await redisStatus(cfg)).answers).toBe(false);
    expect(await redisDown(cfg)).toBe(false);
  });

  it('restarts a server that was killed', async () => {
    const cfg = await privateConfig();
    started.push(cfg);
    await redisUp(cfg);
    const pid = livePid(join(cfg.redis.home, 'redis.pid'));
    expect(pid).toBeDefined();
    process.kill(pid ?? 0, 'SIGKILL');
    while (livePid(join(cfg.redis.home, 'redis.pid')) !== undefined) await new Promise((r) => setTimeout(r, 50));
    expect(await redisUp(cfg)).toBe(true);
    expect((await redisStatus(cfg)).answers).toBe(true);
  });
});
