import type pg from 'pg';
import { EVENTS_CHANNEL } from './sql/appendToStream.ts';

/** Wakes the relay after appends: coalesced, off the command's path. */
export interface RelayWaker {
  /** Asks for a NOTIFY after an append committed; returns at once. */
  poke(): void;
}

/**
 * Sends the relay's NOTIFY after appends commit, at most one in flight per process: pokes that
 * arrive meanwhile share the next one.
 *
 * Why not `pg_notify` inside the append: Postgres takes one cluster-wide lock for every notifying
 * transaction from before its commit until after its WAL flush, so notifying writers commit one at
 * a time and lose group commit. Measured on this box (bench note in scenarios/commands.ts): a
 * single-row INSERT did ~860-900/s at 32 writers, ~190-220/s with a pg_notify in the same
 * statement, whatever the concurrency. A crash between the commit and this NOTIFY costs the relay
 * at most its polling interval, never an event (the log is the outbox).
 */
export function createRelayWaker(pool: pg.Pool, onError: (err: unknown) => void = () => undefined): RelayWaker {
  let inFlight = false;
  let pending = false;
  const send = (): void => {
    inFlight = true;
    pending = false;
    pool.query(`select pg_notify('${EVENTS_CHANNEL}', '')`).catch(onError).finally(() => {
      inFlight = false;
      if (pending) send();
    });
  };
  return {
    poke() {
      if (inFlight) pending = true;
      else send();
    },
  };
}
