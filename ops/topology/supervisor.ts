import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { isGroupMemberMessage, SUPERVISOR_IPC_ENV, type FenceOutcome, type GroupMember } from '../../messaging/index.ts';
import { counter, type Logger } from '../../platform/index.ts';
import type { ProcessSpec } from './plan.ts';
import { createSparePool, type AssignRoleMessage } from './spare.ts';

const ORDERFLOW_BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'orderflow.mjs');

const restarts = counter({ name: 'orderflow_supervisor_restarts_total', help: 'Processes restarted by the topology supervisor', labelNames: ['process'] });
const fenced = counter({ name: 'orderflow_supervisor_fenced_members_total', help: 'Group members of dead processes the supervisor removed, by outcome (removed, unknown, failed)', labelNames: ['outcome'] });

/** A supervised process as the supervisor sees it. */
export interface SupervisedProcess {
  spec: ProcessSpec;
  /** Current pid, or undefined while it waits for a restart. */
  pid: number | undefined;
  /** Times it was started (1 = never restarted). */
  starts: number;
}

/** Options of {@link createSupervisor}. */
export interface SupervisorOptions {
  specs: ProcessSpec[];
  logger: Logger;
  /** Environment of every child (the supervisor's own by default). */
  env?: NodeJS.ProcessEnv;
  /** First restart delay; doubles on each quick death, up to `maxBackoffMs`. @default 250 */
  minBackoffMs?: number;
  /** @default 10_000 */
  maxBackoffMs?: number;
  /** A process that ran this long resets its backoff. @default 30_000 */
  stableAfterMs?: number;
  /** Bound of `stop()` before the rest are SIGKILLed. @default 25_000 */
  stopTimeoutMs?: number;
  /** Where child stdout/stderr go. @default 'inherit' */
  stdio?: 'inherit' | 'ignore';
  /** The script each child runs as `node <entry> <role>` (e.g. a `buildRoleBundle` file). @default bin/orderflow.mjs */
  entry?: string;
  /**
   * Called when a process died (not a clean exit 0) with the consumer group members it announced
   * ({@link isGroupMemberMessage}), before it is restarted: `fenceGroupMembers` removes them, so
   * their groups rebalance now rather than after the session timeout.
   */
  fenceMembers?: (members: GroupMember[]) => Promise<FenceOutcome[]>;
  /**
   * Keep pre-loaded spares (`orderflow spare`, see {@link createSparePool}) and hand a dead
   * process's role to one instead of starting a process from scratch. Needs an `entry` that has the
   * `spare` command. @default false
   */
  spare?: boolean;
  /**
   * How many spares (with `spare`). Two: at load ~30 a spare took over 30 s to load, so a second
   * death within that time (the chaos run's faults ~15-30 s apart) found none ready and its
   * process loaded from scratch (notify's mail 42 s after its SIGKILL). @default 2
   */
  spareCount?: number;
}

/** Restarts processes that die, with backoff, until stopped. */
export interface Supervisor {
  start(): void;
  /** SIGTERM to every process (edge first), SIGKILL past the bound; resolves true when all exited 0. */
  stop(): Promise<boolean>;
  processes(): SupervisedProcess[];
}

interface Slot {
  spec: ProcessSpec;
  child: ChildProcess | undefined;
  starts: number;
  backoffMs: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Runs each process spec as `orderflow <role>` and keeps it running: a process that exits while the
 * supervisor runs is restarted after a backoff (250 ms doubling to 10 s; reset once it stayed up
 * 30 s), its consumer group members fenced first when it died (`fenceMembers`), its role handed to
 * a pre-loaded spare when one is ready (`spare`, `spareCount`). Every start and exit is logged with the pid, code
 * or signal, and uptime.
 */
export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const minBackoff = opts.minBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  const stableAfter = opts.stableAfterMs ?? 30_000;
  const log = opts.logger.child({ component: 'supervisor' });
  const slots: Slot[] = opts.specs.map((spec) => ({ spec, child: undefined, starts: 0, backoffMs: minBackoff, startedAt: 0, timer: undefined }));
  let stopping = false;
  const entry = opts.entry ?? ORDERFLOW_BIN;
  // SUPERVISOR_IPC_ENV: its children announce their group members on the channel (no other parent).
  const childEnv = { ...(opts.env ?? process.env), [SUPERVISOR_IPC_ENV]: '1' };
  const stdio = ['ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit', 'ipc'] as const;
  const spares = opts.spare
    ? Array.from({ length: opts.spareCount ?? 2 }, () => createSparePool({ logger: log, delayMs: 10_000, spawnSpare: () => spawn(process.execPath, ['--enable-source-maps', entry, 'spare'], { env: childEnv, stdio: [...stdio] }) }))
    : [];
  /** A ready spare from the first pool that has one. */
  const takeSpare = () => {
    for (const pool of spares) {
      const child = pool.take();
      if (child) return child;
    }
    return undefined;
  };

  /** Fences a dead process's group members before its successor starts (its joins would wait on them). */
  async function fence(name: string, members: GroupMember[]): Promise<void> {
    if (!opts.fenceMembers || members.length === 0) return;
    const began = Date.now();
    const outcomes = await opts.fenceMembers(members).catch((err: unknown): FenceOutcome[] => members.map((member) => ({ member, outcome: 'failed', error: String(err) })));
    for (const o of outcomes) fenced.inc({ outcome: o.outcome });
    const errors = outcomes.flatMap((o) => (o.outcome === 'failed' ? [`${o.member.groupId}: ${o.error}`] : []));
    const removed = outcomes.filter((o) => o.outcome === 'removed').length;
    log.info({ process: name, members: outcomes.length, removed, ms: Date.now() - began, ...(errors.length > 0 && { errors }) }, 'dead process fenced out of its consumer groups');
  }

  function launch(slot: Slot): void {
    if (stopping) return;
    slot.timer = undefined;
    const spare = slot.starts > 0 ? takeSpare() : undefined; // first starts all load at once anyway
    const child = spare ?? spawn(process.execPath, ['--enable-source-maps', entry, slot.spec.role], { env: { ...childEnv, ...slot.spec.env }, stdio: [...stdio] });
    if (spare) {
      const assign: AssignRoleMessage = { type: 'orderflow.assign-role', role: slot.spec.role, env: slot.spec.env };
      spare.send(assign);
    }
    slot.child = child;
    const members = new Map<string, string>(); // the group members it announced: memberId → groupId
    child.on('message', (message) => {
      if (isGroupMemberMessage(message)) members.set(message.memberId, message.groupId);
    });
    slot.starts++;
    slot.startedAt = Date.now();
    if (slot.starts > 1) restarts.inc({ process: slot.spec.name });
    log.info({ process: slot.spec.name, role: slot.spec.role, pid: child.pid, start: slot.starts, opsPort: slot.spec.opsPort, spare: spare !== undefined }, 'process started');
    child.once('error', (err) => log.error({ err, process: slot.spec.name }, 'process could not be spawned'));
    child.once('exit', (code, signal) => {
      const uptimeMs = Date.now() - slot.startedAt;
      slot.child = undefined;
      if (stopping) {
        log.info({ process: slot.spec.name, pid: child.pid, code, signal, uptimeMs }, 'process exited');
        return;
      }
      if (uptimeMs >= stableAfter) slot.backoffMs = minBackoff;
      const delayMs = slot.backoffMs;
      slot.backoffMs = Math.min(maxBackoff, slot.backoffMs * 2);
      log.warn({ process: slot.spec.name, pid: child.pid, code, signal, uptimeMs, restartInMs: delayMs }, 'process exited; restarting');
      void fence(slot.spec.name, code === 0 ? [] : [...members].map(([memberId, groupId]) => ({ groupId, memberId }))).then(() => {
        slot.timer = setTimeout(() => launch(slot), delayMs);
      });
    });
  }

  return {
    start() {
      for (const slot of slots) launch(slot);
    },
    async stop() {
      stopping = true;
      for (const slot of slots) clearTimeout(slot.timer);
      await Promise.all(spares.map((pool) => pool.stop()));
      const bound = opts.stopTimeoutMs ?? 25_000;
      // The edge first (stop taking requests), then the workers behind it.
      const order = [...slots].reverse();
      const exits = order.map(async (slot) => {
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return true;
        const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), bound)));
        const outcome = await Promise.race([exited, late]);
        clearTimeout(timer);
        if (outcome === 'late') {
          log.error({ process: slot.spec.name, pid: child.pid }, 'process did not stop in time: SIGKILL');
          child.kill('SIGKILL');
          await exited;
          return false;
        }
        return outcome[0] === 0;
      });
      const clean = (await Promise.all(exits)).every(Boolean);
      log.info({ clean }, 'every process stopped');
      return clean;
    },
    processes: () => slots.map((s) => ({ spec: s.spec, pid: s.child?.pid, starts: s.starts })),
  };
}
