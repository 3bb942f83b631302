import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { sleep } from './clock.ts';

const CLI = resolve(import.meta.dirname, '../../bin/orderflow.mjs');

/** Children still running: killed when the bench exits (a timed-out scenario never reaches its `finally`). */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** A role (`orderflow <role>`) running in a child process of its own. */
export interface RoleProcess {
  pid: number;
  /** Stops it with SIGTERM (SIGKILL after `graceMs`) and waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/** A TCP port that was free a moment ago (for a child's listener). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * Spawns `orderflow <role>` (through `bin/orderflow.mjs`) with `env` on top of this process's, and
 * resolves once `ready()` answers true (e.g. its /healthz). The tail of its output is kept for the error when it
 * exits or does not get ready within `readyMs`. `nodeArgs` go to node before the script (e.g. `--inspect`).
 * Generic on purpose: any role, any readiness check.
 */
export async function spawnRole(role: string, env: Record<string, string>, ready: () => Promise<boolean>, readyMs = 60_000, nodeArgs: string[] = []): Promise<RoleProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, role], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  // Logs go to stdout (pino), errors to stderr: keep the tail of both for the error message.
  const keep = (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-2000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  alive.add(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  void exited.then(() => alive.delete(child));
  let gone = false;
  let exitCode: number | null = null;
  void exited.then((code) => { gone = true; exitCode = code; });
  const stop = async (graceMs = 10_000) => {
    if (gone) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  };
  for (const end = Date.now() + readyMs; ;) {
    if (gone) throw new Error(`orderflow ${role} exited (code ${String(exitCode)}) before it was ready: ${stderr}`);
    if (await ready().catch(() => false)) return { pid: child.pid ?? -1, stop };
    if (Date.now() > end) {
      await stop(1000);
      throw new Error(`orderflow ${role} not ready within ${readyMs} ms: ${stderr}`);
    }
    await sleep(200);
  }
}
