import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig, StackError, type StackConfig } from './config.ts';
import { ferretdbDown, ferretdbStatus, ferretdbUp } from './ferretdb.ts';
import { kafkaDown, kafkaStatus, kafkaUp } from './kafka.ts';
import { postgresDown, postgresStatus, postgresUp } from './postgres.ts';
import { livePid } from './process.ts';
import { redisDown, redisStatus, redisUp } from './redis.ts';
import type { ServiceStatus } from './service.ts';

export { StackError, loadStackConfig, type StackConfig };

/** Which services `stackUp` had to start (so a caller can stop exactly those). */
export interface StackStarted {
  postgres: boolean;
  kafka: boolean;
  ferretdb: boolean;
  redis: boolean;
}

/** Serialises concurrent `stackUp` calls (npm start + a test run) with an mkdir lock holding the owner's pid. */
async function withLock<T>(cfg: StackConfig, fn: () => Promise<T>): Promise<T> {
  mkdirSync(cfg.dir, { recursive: true });
  const lock = join(cfg.dir, 'up.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // A lock whose owner died (killed mid-start) is stale: take it over.
      if (livePid(join(lock, 'pid')) === undefined && existsSync(join(lock, 'pid'))) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new StackError(`${lock} is held`, 'remove it if no stack:up is running');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Installs (first time) and starts PostgreSQL, Kafka, FerretDB and Redis on loopback. Idempotent:
 * services that answer are left alone; a crashed one is restarted. Kafka, Postgres and Redis start
 * in parallel; FerretDB needs Postgres.
 */
export async function stackUp(cfg: StackConfig = loadStackConfig()): Promise<StackStarted> {
  return withLock(cfg, async () => {
    // allSettled: when one fails, the others have finished starting before the error reaches a
    // caller that stops the stack (Promise.all let Postgres come up after that stop, left running).
    const settled = await Promise.allSettled([postgresUp(cfg), kafkaUp(cfg), redisUp(cfg)]);
    const [postgres, kafka, redis] = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }) as [boolean, boolean, boolean];
    const ferretdb = await ferretdbUp(cfg);
    return { postgres, kafka, ferretdb, redis };
  });
}

/** Stops the services (all by default, or only those named in `which`). */
export async function stackDown(cfg: StackConfig = loadStackConfig(), which: StackStarted = { postgres: true, kafka: true, ferretdb: true, redis: true }): Promise<void> {
  if (which.redis) await redisDown(cfg);
  if (which.ferretdb) await ferretdbDown(cfg);
  if (which.kafka) await kafkaDown(cfg);
  if (which.postgres) await postgresDown(cfg);
}

/** Each service with its version and whether it answers. */
export function stackStatus(cfg: StackConfig = loadStackConfig()): Promise<ServiceStatus[]> {
  return Promise.all([postgresStatus(cfg), kafkaStatus(cfg), ferretdbStatus(cfg), redisStatus(cfg)]);
}
