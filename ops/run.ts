import { onFatal, type FatalReport, type Logger } from '../platform/index.ts';
import { startOpsServer, type OpsServer } from './opsServer.ts';
import { createDependencyProbe } from './readiness.ts';
import type { Role, RoleDeps, RunningRole } from './roles/index.ts';

/** Options of {@link runRoles}. */
export interface RunOptions {
  /** Bound of the whole shutdown; past it the process exits with 1. @default config.shutdownTimeoutMs */
  shutdownTimeoutMs?: number;
  /** Signals that trigger a graceful shutdown. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

async function stopAll(running: { name: string; role: RunningRole }[], logger: Logger): Promise<boolean> {
  let clean = true;
  for (const { name, role } of [...running].reverse()) {
    try {
      await role.stop();
      logger.info({ role: name }, 'role stopped');
    } catch (err) {
      clean = false;
      logger.error({ err, role: name }, 'role failed to stop cleanly');
    }
  }
  return clean;
}

/** Runs `fn` bounded by `ms`; resolves 'timeout' past it. */
async function bounded<T>(fn: () => Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref();
  });
  try {
    return await Promise.race([fn(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the ops listener (`/healthz`, `/readyz`, `/metrics`) when `config.ops.port` is set. */
async function opsListener(deps: RoleDeps, accepting: () => boolean): Promise<{ close(): Promise<void> } | undefined> {
  const { config, logger } = deps;
  if (config.ops.port === 0) return undefined;
  const probe = createDependencyProbe(config, logger);
  let server: OpsServer;
  try {
    server = await startOpsServer({ host: config.ops.host, port: config.ops.port, logger, readiness: () => probe.check(), accepting, debugHeap: config.ops.debugHeap });
  } catch (err) {
    await probe.close();
    throw err;
  }
  return {
    async close() {
      await server.close();
      await probe.close();
    },
  };
}

/**
 * Starts `roles` in order and keeps them running until SIGTERM/SIGINT, then stops them in reverse
 * order within `shutdownTimeoutMs` and resolves with the exit code (0 clean, 1 otherwise). Each
 * role's `stop` stops taking work, finishes what is in flight, flushes its producer and commits
 * its offsets (leaving its consumer groups). A role that fails to start stops the ones already
 * started and resolves with 1. A part that gives up for good ({@link onFatal}, e.g. a consumer that
 * cannot rejoin its group) stops everything and resolves with 1, so a supervisor restarts the
 * process. A second signal exits at once. With `config.ops.port` set, the process also serves
 * `/healthz`, `/readyz` and `/metrics` there.
 */
export async function runRoles(roles: readonly Role[], deps: RoleDeps, options: RunOptions = {}): Promise<number> {
  const { logger } = deps;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? deps.config.shutdownTimeoutMs;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const running: { name: string; role: RunningRole }[] = [];
  let accepting = false;
  let fatal: FatalReport | undefined;
  let wake: ((why: NodeJS.Signals | 'fatal') => void) | undefined;
  const stopRequested = new Promise<NodeJS.Signals | 'fatal'>((resolve) => {
    wake = resolve;
  });
  const offFatal = onFatal((report) => {
    fatal ??= report;
    wake?.('fatal');
  });
  const onSignal = (s: NodeJS.Signals) => wake?.(s);
  const exitNow = (s: NodeJS.Signals) => {
    logger.warn({ signal: s }, 'second signal: exiting now');
    process.exit(130);
  };
  for (const s of signals) process.once(s, onSignal);
  const ops = await opsListener(deps, () => accepting && fatal === undefined);
  try {
    for (const role of roles) {
      try {
        running.push({ name: role.name, role: await role.start(deps) });
        logger.info({ role: role.name }, 'role started');
      } catch (err) {
        logger.fatal({ err, role: role.name }, 'role failed to start');
        await bounded(() => stopAll(running, logger), shutdownTimeoutMs);
        return 1;
      }
      if (fatal) break;
    }
    accepting = fatal === undefined;
    const why = fatal ? 'fatal' : await stopRequested;
    accepting = false;
    if (why === 'fatal') logger.fatal({ err: fatal?.err, source: fatal?.source }, 'a part gave up for good: stopping the process (exit 1) so it is restarted');
    else logger.info({ signal: why, shutdownTimeoutMs }, 'shutting down');
    for (const s of signals) process.once(s, exitNow);
    const outcome = await bounded(() => stopAll(running, logger), shutdownTimeoutMs);
    if (outcome === 'timeout') {
      logger.error({ shutdownTimeoutMs }, 'shutdown did not finish in time');
      return 1;
    }
    return outcome && why !== 'fatal' ? 0 : 1;
  } finally {
    offFatal();
    for (const s of signals) {
      process.off(s, onSignal);
      process.off(s, exitNow);
    }
    await ops?.close();
  }
}
