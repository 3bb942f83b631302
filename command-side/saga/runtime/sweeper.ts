import type pg from 'pg';
import type { Logger } from 'pino';
import { claimDueTimeouts, type DueTimeout } from './sql/claimDueTimeouts.ts';

/** Options of {@link createTimeoutSweeper}. */
export interface TimeoutSweeperOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Pause between sweeps that found nothing. @default 1000 */
  intervalMs?: number;
  /** How long a claimed row stays with this sweeper before another may take it. @default 10000 */
  leaseMs?: number;
  /** Rows claimed per sweep. @default 50 */
  batchSize?: number;
  clock?: () => Date;
  /** Handles one claimed row; a throw leaves the row to be claimed again after the lease. */
  fire(row: DueTimeout): Promise<void>;
}

/** A running sweeper loop. */
export interface TimeoutSweeper {
  start(): void;
  /** Stops after the sweep in progress. Safe to call twice. */
  stop(): Promise<void>;
  /** Sweeps once now (tests). Returns the rows fired. */
  sweepOnce(): Promise<number>;
}

/**
 * The durable-timeout loop: claims due `saga_timeouts` rows with a lease (FOR UPDATE SKIP
 * LOCKED, so parallel sweepers split the rows) and fires each. A fired row is deleted by the
 * saga when the order closes; one that stays (e.g. the order was rejected but its OrderRejected
 * is not handled yet) is claimed again when its lease runs out and fired again, harmlessly.
 */
export function createTimeoutSweeper(opts: TimeoutSweeperOptions): TimeoutSweeper {
  const intervalMs = opts.intervalMs ?? 1000;
  const leaseMs = opts.leaseMs ?? 10_000;
  const batchSize = opts.batchSize ?? 50;
  const clock = opts.clock ?? (() => new Date());
  const log = opts.logger.child({ component: 'saga-sweeper' });
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function sweepOnce(): Promise<number> {
    const rows = await claimDueTimeouts(opts.pool, clock(), batchSize, leaseMs);
    for (const row of rows) {
      if (stopping) break;
      try {
        await opts.fire(row);
      } catch (err) {
        log.warn({ err, orderId: row.orderId, attempts: row.attempts }, 'saga timeout not handled; retrying after its lease');
      }
    }
    return rows.length;
  }

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          let fired = 0;
          try {
            fired = await sweepOnce();
          } catch (err) {
            log.warn({ err }, 'saga timeout sweep failed');
          }
          if (!stopping && fired < batchSize) await pause(intervalMs);
        }
      })();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
    sweepOnce,
  };
}
