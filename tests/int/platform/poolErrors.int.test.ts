import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { watchPoolErrors } from '../../../platform/index.ts';
import { freshPostgres } from '../../support/isolation.ts';
import { waitUntil } from '../../support/saga.ts';

describe('watchPoolErrors (real Postgres)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.end();
  });

  it('a session ended while its client is checked out (57P01, as in a Postgres restart) is reported, not an unhandled error; the pool then serves a fresh session', async () => {
    const url = await freshPostgres('poolerrors');
    const seen: Error[] = [];
    const pool = watchPoolErrors(new pg.Pool({ connectionString: url, max: 2 }), (err) => seen.push(err));
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    pools.push(pool, admin);
    const held = await pool.connect();
    let pid: number | undefined;
    try {
      pid = (await held.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      // Held, between two statements: without the listener this 'error' event killed the process.
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await waitUntil('the ended session reported', async () => seen.length > 0, 10_000, 50);
      // The server's message, then the socket's end ('Connection terminated unexpectedly').
      expect((seen[0] as { code?: string } | undefined)?.code).toBe('57P01');
      await expect(held.query('select 1')).rejects.toThrow(/not queryable/);
    } finally {
      held.release();
    }
    const next = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    expect(next.rows[0]?.pid).not.toBe(pid);
  });
});
