import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { StackError } from './config.ts';

/** Runs a command to completion; throws a StackError carrying `fix` when it fails or is missing. */
export function run(cmd: string, args: string[], fix: string, opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new StackError(`${cmd} could not run (${r.error.message})`, fix);
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new StackError(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${tail}`, fix);
  }
  return String(r.stdout ?? '');
}

/** True when `cmd` is on the PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, fix: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StackError(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s`, fix);
}

/** Reads a pid file and returns the pid when that process is alive. */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A zombie (exited, not yet reaped) still answers kill(0); /proc tells it apart.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
  } catch {
    // no /proc (not Linux): trust kill(0)
  }
  return pid;
}

/** Starts a long-running daemon detached from this process, logging to `log`, and records its pid. */
export function startDaemon(cmd: string, args: string[], log: string, pidFile: string, env: NodeJS.ProcessEnv = process.env): number {
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
  if (child.pid === undefined) throw new StackError(`${cmd} did not start`, `see ${log}`);
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  return child.pid;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILLs; removes the pid file. */
export async function stopDaemon(pidFile: string, graceMs = 15_000): Promise<boolean> {
  const pid = livePid(pidFile);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && livePid(pidFile) !== undefined) await new Promise((r) => setTimeout(r, 100));
  if (livePid(pidFile) !== undefined) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
