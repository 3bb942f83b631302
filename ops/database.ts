import pg from 'pg';
import { migrate } from '../command-side/index.ts';
import type { AppConfig } from '../platform/index.ts';
import { loadStackConfig } from '../stack/config.ts';
import { ensureDatabase } from '../stack/postgres.ts';
import { STORE_TIMEOUTS } from '../platform/index.ts';

/** The database name in a postgres:// URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Creates `DATABASE_URL`'s database in the local stack when it is missing (for `orderflow start`). */
export async function ensureLocalDatabase(config: AppConfig): Promise<void> {
  await ensureDatabase(loadStackConfig(), databaseName(config.postgres.url));
}

/** Applies the event store's pending migrations; returns the ids applied. */
export async function migrateDatabase(config: AppConfig): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 1, connectionTimeoutMillis: 10_000, statement_timeout: STORE_TIMEOUTS.migrationStatementMs });
  try {
    return await migrate(pool);
  } finally {
    await pool.end();
  }
}
