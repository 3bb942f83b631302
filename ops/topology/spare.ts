import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../../platform/index.ts';

/**
 * A spare process: `orderflow spare` loads the whole CLI, tells its supervisor it is ready, and
 * waits to be told which role to run. The supervisor keeps one, so a dead process is replaced by a
 * process that is already loaded: on the shared 2-core box at load ~30 a fresh role process spent
 * ~35 s just loading (1.6 CPU-s), while the work of a single-instance role (notify) must resume
 * within 15 s.
 */

/** Spare → supervisor: loaded, ready for a role. */
export interface SpareReadyMessage {
  type: 'orderflow.spare-ready';
}

/** Supervisor → spare: run this role, with this environment added (its ports, its client id). */
export interface AssignRoleMessage {
  type: 'orderflow.assign-role';
  role: string;
  env: Record<string, string>;
}

function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/**
 * In a spare: tells the supervisor it is ready, then resolves with the role it is given, the role's
 * environment applied to `process.env` first (the configuration is read when the role starts). Exits
 * 0 when the supervisor goes away before that.
 * @throws Error when the process has no IPC channel (not started by a supervisor).
 */
export function awaitAssignedRole(): Promise<string> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('orderflow spare runs only under the topology supervisor');
  return new Promise((resolve) => {
    const orphaned = () => process.exit(0);
    process.once('disconnect', orphaned);
    const onMessage = (m: unknown) => {
      if (!isMessage<AssignRoleMessage>(m, 'orderflow.assign-role')) return;
      process.off('disconnect', orphaned); // from here on it is a role process like any other
      process.off('message', onMessage);
      Object.assign(process.env, m.env);
      resolve(m.role);
    };
    process.on('message', onMessage);
    const ready: SpareReadyMessage = { type: 'orderflow.spare-ready' };
    send(ready);
  });
}

/** The supervisor's one spare. */
export interface SparePool {
  /** The ready spare, handed to the caller (a new one is started after `delayMs`); undefined when none is ready. */
  take(): ChildProcess | undefined;
  /** Stops the spare that is waiting, if any. */
  stop(): Promise<void>;
}

/**
 * Keeps one spare ready: started `delayMs` after the pool (and after each take), so it does not
 * compete with the processes it would stand in for while they start. A spare that dies is replaced
 * after the same delay.
 */
export function createSparePool(opts: { spawnSpare: () => ChildProcess; logger: Logger; delayMs: number }): SparePool {
  let waiting: { child: ChildProcess; ready: boolean } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const later = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(start, opts.delayMs);
  };
  function start(): void {
    if (stopped || waiting) return;
    const child = opts.spawnSpare();
    const spare = { child, ready: false };
    waiting = spare;
    opts.logger.info({ pid: child.pid }, 'spare started');
    child.on('message', (m: unknown) => {
      if (!isMessage<SpareReadyMessage>(m, 'orderflow.spare-ready')) return;
      spare.ready = true;
      opts.logger.info({ pid: child.pid }, 'spare ready');
    });
    child.once('exit', (code, signal) => {
      if (waiting?.child !== child) return; // taken: its exit is its slot's business
      waiting = undefined;
      opts.logger.warn({ pid: child.pid, code, signal }, 'spare exited');
      later();
    });
  }
  later();
  return {
    take() {
      if (!waiting?.ready) return undefined;
      const { child } = waiting;
      waiting = undefined;
      later();
      return child;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const spare = waiting;
      waiting = undefined;
      if (!spare || spare.child.exitCode !== null || spare.child.signalCode !== null) return;
      const exited = once(spare.child, 'exit');
      spare.child.kill('SIGTERM');
      await exited;
    },
  };
}
