import type pg from 'pg';

/**
 * Sends every error of a pool's sessions to `onError`, those of checked-out clients included, and
 * returns the pool. pg-pool listens only on its idle clients: a session ended while a client was
 * held (Postgres restarting between two statements of a transaction, 57P01) was an unhandled
 * 'error' event that killed the process (a saga, in the chaos run's Postgres restart). Now the held
 * client's next query fails, a retriable error, and the pool drops the client when it is released.
 */
export function watchPoolErrors(pool: pg.Pool, onError: (err: Error) => void): pg.Pool {
  // Each session's error reaches onError once, through its client's listener; an idle client's
  // error is also re-emitted on the pool, which must be listened to but need not log it again.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
