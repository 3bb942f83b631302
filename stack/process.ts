import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { StackError } from './config.ts';

/**
 * The lines of a failed command's output that say why: error lines (`error:`, `FATAL`, `could not`,
 * `Permission denied`, …) when there are any, else the last lines of stderr, else of stdout. Programs
 * like initdb print pages of harmless notices on stdout and the cause on stderr.
 */
export function failureCause(stderr: string, stdout: string): string {
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const causes = lines.filter((l) => /error|fatal|could not|cannot|denied|no such|not permitted|failed/i.test(l));
  const pick = causes.length > 0 ? causes : (stderr.trim() ? stderr : stdout).trim().split('\n');
  return pick.slice(-3).join(' | ');
}

/** Options of `run`: spawn options, and a log file that receives the command's whole output. */
export interface RunOptions extends SpawnSyncOptions {
  /** Append the command line and its output here (created if missing), so the log a failure names exists. */
  log?: string;
}

/** Runs a command to completion; throws a StackError naming the cause and carrying `fix` when it fails or is missing. */
export function run(cmd: string, args: string[], fix: string, opts: RunOptions = {}): string {
  const { log, ...spawnOpts } = opts;
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...spawnOpts });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (log) {
    mkdirSync(dirname(log), { recursive: true });
    appendFileSync(log, `$ ${cmd} ${args.join(' ')}\n${stdout}${stderr}${r.error ? `${r.error.message}\n` : ''}`);
  }
  if (r.error) throw new StackError(`${cmd} could not run (${r.error.message})`, fix);
  if (r.status !== 0) throw new StackError(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${failureCause(stderr, stdout)}`, fix);
  return stdout;
}

/** Runs a command quietly; true when it exits 0. */
export function tryRun(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
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
