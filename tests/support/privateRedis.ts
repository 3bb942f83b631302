import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig, type StackConfig } from '../../stack/config.ts';
import { livePid } from '../../stack/process.ts';
import { redisDown, redisUp, redisUrl } from '../../stack/redis.ts';
import { freeTcpPort } from './roleProcess.ts';

/** A Redis of a test's own (own folder and port): tests stop and kill it, never the shared one. */
export interface PrivateRedis {
  readonly cfg: StackConfig;
  readonly url: string;
  /** Starts it (again): idempotent, like `stack:up`. */
  up(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

/** A stack configuration for a private Redis on a free port (not started). */
export async function privateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-redis-'));
  const cfg = loadStackConfig({ ...process.env, ORDERFLOW_STACK_DIR: dir, ORDERFLOW_REDIS_PORT: String(await freeTcpPort()) });
  const pidFile = join(cfg.redis.home, 'redis.pid');
  return {
    cfg,
    url: redisUrl(cfg),
    async up() {
      await redisUp(cfg);
    },
    async kill() {
      const pid = livePid(pidFile);
      if (pid === undefined) return;
      process.kill(pid, 'SIGKILL');
      while (livePid(pidFile) !== undefined) await new Promise((r) => setTimeout(r, 50));
    },
    async remove() {
      await redisDown(cfg);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
