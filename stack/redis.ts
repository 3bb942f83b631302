import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { StackError, type StackConfig } from './config.ts';
import { hasCommand, livePid, portAnswers, run, startDaemon, stopDaemon, waitFor } from './process.ts';
import type { ServiceStatus } from './service.ts';

const pidFile = (cfg: StackConfig) => join(cfg.redis.home, 'redis.pid');

/** Debian's `redis-server` (7.0), installed with apt-get when missing (as root), like Postgres. */
function ensureInstalled(): void {
  if (hasCommand('redis-server')) return;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    throw new StackError('redis-server not found', 'install it: sudo apt-get install -y redis-server');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const fix = 'check network access to the Debian mirrors, then run `npm run stack:up` again';
  run('apt-get', ['update', '-q'], fix, { env });
  run('apt-get', ['install', '-y', '-q', 'redis-server'], fix, { env });
}

/** The Redis connection URL of the stack's server. */
export function redisUrl(cfg: StackConfig): string {
  return `redis://127.0.0.1:${cfg.redis.port}`;
}

/** True when Redis answers `PING` with `+PONG` (a raw RESP exchange: no client library needed here). */
export function redisAnswers(cfg: StackConfig, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port: cfg.redis.port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Options of the stack's Redis: loopback only, no persistence (`--save ""`, `--appendonly no`: it
 * holds rate-limit counters, which may be lost), logging to stdout (our log file).
 */
function serverArgs(cfg: StackConfig): string[] {
  return ['--port', String(cfg.redis.port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', cfg.redis.home, '--daemonize', 'no', '--logfile', ''];
}

/** True once nothing accepts connections on the port any more (within `timeoutMs`). */
async function portFreed(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await portAnswers(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Idempotently installs and starts Redis on loopback; returns true when it had to start it. */
export async function redisUp(cfg: StackConfig): Promise<boolean> {
  if (livePid(pidFile(cfg)) === undefined) {
    if (await portAnswers(cfg.redis.port)) {
      if (await redisAnswers(cfg)) return false;
      // A server killed a moment ago shows as a zombie while its other threads still hold the port.
      if (await portFreed(cfg.redis.port, 3_000)) return redisUp(cfg);
      throw new StackError(`port ${cfg.redis.port} is taken by another program`, 'stop it or set ORDERFLOW_REDIS_PORT to a free port');
    }
    ensureInstalled();
    mkdirSync(cfg.redis.home, { recursive: true });
    startDaemon('redis-server', serverArgs(cfg), cfg.redis.log, pidFile(cfg));
    await waitFor('Redis', () => redisAnswers(cfg), 20_000, `see ${cfg.redis.log}`);
    return true;
  }
  if (await redisAnswers(cfg)) return false;
  // Alive but silent (still loading, or hung): give it a moment, then restart it.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (await redisAnswers(cfg)) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopDaemon(pidFile(cfg), 5_000);
  return redisUp(cfg);
}

/** Stops the Redis this stack started. */
export function redisDown(cfg: StackConfig): Promise<boolean> {
  return stopDaemon(pidFile(cfg), 5_000);
}

/** The installed server's version (`redis-server --version` prints `Redis server v=7.0.15 …`). */
function installedVersion(): string {
  if (!hasCommand('redis-server')) return 'not installed';
  try {
    return /v=(\S+)/.exec(run('redis-server', ['--version'], 'reinstall redis-server'))?.[1] ?? 'installed';
  } catch {
    return 'installed';
  }
}

/** Version and liveness of the stack's Redis. */
export async function redisStatus(cfg: StackConfig): Promise<ServiceStatus> {
  const pid = livePid(pidFile(cfg));
  return { name: 'redis', port: cfg.redis.port, answers: await redisAnswers(cfg), version: installedVersion(), ...(pid ? { pid } : {}) };
}
