import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, type StackConfig } from '../../../stack/config.ts';
import { livePid, portAnswers } from '../../../stack/process.ts';
import { redisDown, redisStatus, redisUp, redisUrl } from '../../../stack/redis.ts';

const dirs: string[] = [];

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portAnswers(port))) return port;
  }
}

/** A private Redis (own folder and port): this test stops and kills it, never the shared one. */
async function privateConfig(): Promise<StackConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-redis-'));
  dirs.push(dir);
  return loadStackConfig({ ...process.env, ORDERFLOW_STACK_DIR: dir, ORDERFLOW_REDIS_PORT: String(await freePort()) });
}

describe('stack: Redis (Debian redis-server on loopback)', () => {
  const started: StackConfig[] = [];
  afterAll(async () => {
    for (const cfg of started) await redisDown(cfg);
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
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
