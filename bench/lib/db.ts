import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../command-side/eventStore/migrate.ts';
import { loadStackConfig } from '../../stack/config.ts';
import { ensureDatabase, postgresUrl } from '../../stack/postgres.ts';

const cfg = loadStackConfig();

/** A short random id that keeps bench resources apart from each other and from test runs. */
export function benchId(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A migrated event-store database of its own; `drop()` removes it (bench stores are large). */
export interface ScratchDb {
  url: string;
  name: string;
  /** A pool of `max` connections on it (ended by `drop`). */
  pool(max: number): pg.Pool;
  drop(): Promise<void>;
}

/** Creates a fresh database on the stack's Postgres and applies the event-store migrations. */
export async function scratchDb(prefix: string): Promise<ScratchDb> {
  const name = benchId(`bench_${prefix}`).toLowerCase();
  await ensureDatabase(cfg, name);
  const url = postgresUrl(cfg, name);
  const pools: pg.Pool[] = [];
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(admin);
  await admin.end();
  return {
    url,
    name,
    pool(max) {
      const p = new pg.Pool({ connectionString: url, max });
      p.on('error', () => undefined); // a backend killed by drop(): nothing to do
      pools.push(p);
      return p;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await dropDatabase(name);
    },
  };
}

/** Drops a database (force-closing its sessions). Errors are ignored: cleanup must not fail a run. */
export async function dropDatabase(name: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresUrl(cfg), connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query(`drop database if exists "${name.replaceAll('"', '')}" with (force)`);
  } catch {
    // left behind; harmless
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The server's durability-relevant settings, as `show` reports them. */
export async function postgresDurability(): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: postgresUrl(cfg), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    const out: Record<string, string> = {};
    for (const name of ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'commit_delay', 'max_connections', 'shared_buffers']) {
      const { rows } = await c.query<Record<string, string>>(`show ${name}`);
      out[name] = String(rows[0]?.[name] ?? '?');
    }
    return out;
  } finally {
    await c.end();
  }
}

/**
 * A table shaped exactly like `events` (same columns, defaults, identity, unique constraints and
 * indexes) for the raw-INSERT baselines: the baseline pays for the same index maintenance.
 */
export async function createRawEventsTable(pool: pg.Pool, name = 'raw_events'): Promise<void> {
  await pool.query(`create table if not exists ${name} (like events including all)`);
}

/** The columns of a raw row, in INSERT order. */
export const RAW_COLUMNS = ['event_id', 'stream_id', 'stream_version', 'type', 'version', 'data', 'metadata', 'source', 'correlation_id', 'causation_id', 'traceparent', 'occurred_at'] as const;

/** One row for a raw INSERT, values in {@link RAW_COLUMNS} order. */
export type RawRow = [string, string, number, string, number, string, string, string, string, string | null, string | null, string];

/** `insert into <table> (cols) values ($1..$12), ($13..$24), …` for `rows` rows. */
export function multiRowInsertSql(table: string, rows: number): string {
  const n = RAW_COLUMNS.length;
  const tuples = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: n }, (_, c) => `$${r * n + c + 1}`).join(', ')})`);
  return `insert into ${table} (${RAW_COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
}
