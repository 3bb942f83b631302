import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig, type StackConfig } from '../../../stack/config.ts';
import { postgresDown, postgresStatus, postgresUp, postgresUrl } from '../../../stack/postgres.ts';
import { postgresPaths, postgresUserReaches, SYSTEM_STATE_ROOT } from '../../../stack/postgresHome.ts';
import { portAnswers } from '../../../stack/process.ts';

const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portAnswers(port))) return port;
  }
}

// Regression: cloned as root into a mode-700 folder, `npm start` / `npm test` failed because initdb,
// run as the postgres user, could not reach the data directory inside the clone.
describe('the stack\'s PostgreSQL starts from a clone in a private (mode 700) folder', () => {
  let cfg: StackConfig | undefined;
  let privateDir = '';
  afterAll(async () => {
    if (!cfg) return;
    await postgresDown(cfg).catch(() => undefined);
    const p = postgresPaths(cfg, isRoot);
    if (p.relocated) rmSync(dirname(dirname(p.dataDir)), { recursive: true, force: true }); // /var/lib/orderflow/<hash>
    rmSync(privateDir, { recursive: true, force: true });
  });

  it('keeps the cluster where the postgres user can reach it, says where, and answers', async () => {
    privateDir = await mkdtemp(join(tmpdir(), 'orderflow-private-'));
    chmodSync(privateDir, 0o700);
    const clone = join(privateDir, 'orderflow');
    mkdirSync(clone);
    cfg = loadStackConfig({ ...process.env, ORDERFLOW_STACK_DIR: join(clone, '.stack'), ORDERFLOW_PG_PORT: String(await freePort()) });

    const where = postgresPaths(cfg, isRoot);
    if (isRoot) {
      // The postgres user cannot enter the private folder: the cluster goes under the system's state directory.
      expect(postgresUserReaches(cfg.dir)).toBe(false);
      expect(where.relocated).toBe(true);
      expect(where.dataDir.startsWith(`${SYSTEM_STATE_ROOT}/`)).toBe(true);
    } else {
      // Not root: the server runs as us and the cluster stays in the clone.
      expect(where.relocated).toBe(false);
      expect(where.dataDir.startsWith(cfg.dir)).toBe(true);
    }

    // `npm test` in such a clone runs from inside it, so the caller's working directory is one the
    // postgres user cannot enter either; the server binaries must not depend on it (stack/postgres.ts
    // runs them from /). ci11 failed once with "could not change directory to <the clone>".
    const cwd = process.cwd();
    process.chdir(clone);
    try {
      expect(await postgresUp(cfg)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(where.dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(where.log)).toBe(true);
    const client = new pg.Client({ connectionString: postgresUrl(cfg) });
    await client.connect();
    try {
      expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.end();
    }
    expect(await postgresStatus(cfg)).toMatchObject({ answers: true });
    // A second up finds it running (same decision, same place).
    expect(await postgresUp(cfg)).toBe(false);
  });
});
