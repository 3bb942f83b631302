import type { Logger } from '../platform/index.ts';
import type { Role, RoleDeps, RunningRole } from './roles/index.ts';

/** Options of {@link runRoles}. */
export interface RunOptions {
  /** Bound of the whole shutdown; past it the process exits with 1. @default 20_000 */
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

/**
 * Starts `roles` in order and keeps them running until SIGTERM/SIGINT, then stops them in reverse
 * order within `shutdownTimeoutMs` and resolves with the exit code (0 clean, 1 otherwise). A role
 * that fails to start stops the ones already started and resolves with 1. A second signal exits
 * at once.
 */
export async function runRoles(roles: readonly Role[], deps: RoleDeps, options: RunOptions = {}): Promise<number> {
  const { logger } = deps;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 20_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const running: { name: string; role: RunningRole }[] = [];
  for (const role of roles) {
    try {
      running.push({ name: role.name, role: await role.start(deps) });
      logger.info({ role: role.name }, 'role started');
    } catch (err) {
      logger.fatal({ err, role: role.name }, 'role failed to start');
      await stopAll(running, logger);
      return 1;
    }
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of signals) process.once(s, () => resolve(s));
  });
  logger.info({ signal }, 'shutting down');
  for (const s of signals) {
    process.once(s, () => {
      logger.warn({ signal: s }, 'second signal: exiting now');
      process.exit(130);
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
    timer.unref();
  });
  const outcome = await Promise.race([stopAll(running, logger), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.error({ shutdownTimeoutMs }, 'shutdown did not finish in time');
    return 1;
  }
  return outcome ? 0 : 1;
}
