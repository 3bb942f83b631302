import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { freshPool } from '../../support/isolation.ts';

describe('PostgreSQL (real server)', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = await freshPool('pg');
  });
  afterAll(() => pool.end());

  it('appends rows and reads them back in order', async () => {
    await pool.query('create table notes (id bigserial primary key, body text not null)');
    for (const body of ['a', 'b', 'c']) await pool.query('insert into notes (body) values ($1)', [body]);
    const { rows } = await pool.query<{ body: string }>('select body from notes order by id');
    expect(rows.map((r) => r.body)).toEqual(['a', 'b', 'c']);
  });

  it('is PostgreSQL 15 with xid8 snapshot functions the event store relies on', async () => {
    const { rows } = await pool.query<{ v: string; xmin: string }>(
      "select current_setting('server_version_num') as v, pg_snapshot_xmin(pg_current_snapshot())::text as xmin",
    );
    expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000);
    expect(BigInt(rows[0]?.xmin ?? '0')).toBeGreaterThan(0n);
  });
});
