import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { StackError, type StackConfig } from './config.ts';
import { postgresPaths } from './postgresHome.ts';
import { hasCommand, portAnswers, run, waitFor } from './process.ts';
import type { ServiceStatus } from './service.ts';

const PG_MAJOR = '15';
const isRoot = process.getuid?.() === 0;

/** Finds the PostgreSQL 15 server binaries, installing Debian's package when they are missing. */
function binDir(): string {
  const dir = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
  if (existsSync(join(dir, 'postgres'))) return dir;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new StackError(`PostgreSQL ${PG_MAJOR} server not found in ${dir}`, `install it: sudo apt-get install -y postgresql-${PG_MAJOR}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const fix = 'check network access to the Debian mirrors, then run `npm run stack:up` again';
  run('apt-get', ['update', '-q'], fix, { env });
  run('apt-get', ['install', '-y', '-q', `postgresql-${PG_MAJOR}`], fix, { env });
  return dir;
}

/** Runs a server binary as the `postgres` OS user when we are root (the server refuses root); its output goes to `log`. */
function asOwner(bin: string, args: string[], log: string): string {
  const fix = `see ${log}`;
  if (!isRoot) return run(bin, args, fix, { log });
  // The server appends to the same log as the postgres user: create it and hand it over first.
  mkdirSync(dirname(log), { recursive: true });
  closeSync(openSync(log, 'a'));
  chownSync(log, postgresId('-u'), postgresId('-g'));
  // cwd '/': the server binaries resolve their own path from the working directory, and a clone
  // under a mode-700 folder (the caller's cwd) is not reachable by the postgres user.
  return run('runuser', ['-u', 'postgres', '--', bin, ...args], fix, { log, cwd: '/' });
}

/** The `postgres` user's uid (`-u`) or gid (`-g`). */
function postgresId(which: '-u' | '-g'): number {
  return Number(run('id', [which, 'postgres'], 'install PostgreSQL (it creates the postgres user)').trim());
}

/**
 * The stack's Postgres paths as the server uses them (see `postgresPaths`): when root's `postgres`
 * user cannot reach the stack folder, the cluster lives under /var/lib/orderflow/, said once in the log.
 */
function paths(cfg: StackConfig): StackConfig['postgres'] {
  const p = postgresPaths(cfg, isRoot);
  if (p.relocated && !announced.has(p.dataDir)) {
    announced.add(p.dataDir);
    console.error(`stack: the postgres user cannot reach ${cfg.dir}; the PostgreSQL cluster lives in ${dirname(p.dataDir)} (log: ${p.log})`);
  }
  return p;
}
const announced = new Set<string>();

function ownDir(path: string): void {
  mkdirSync(path, { recursive: true });
  if (isRoot) run('chown', ['-R', 'postgres:postgres', path], 'run as root or as the owner of .stack/');
}

function initCluster(cfg: StackConfig, bin: string): void {
  const { dataDir, runDir, user, password, log } = paths(cfg);
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  ownDir(join(dataDir, '..'));
  ownDir(runDir);
  const pwFile = join(dataDir, '..', 'pwfile');
  writeFileSync(pwFile, password);
  if (isRoot) chownSync(pwFile, postgresId('-u'), postgresId('-g'));
  try {
    asOwner(join(bin, 'initdb'), ['-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'], log);
  } finally {
    rmSync(pwFile, { force: true });
  }
}

/** Postgres settings for a loopback dev/test server: durable (fsync on), enough connections for parallel test files. */
function serverOptions(cfg: StackConfig): string {
  return [
    `-p ${cfg.postgres.port}`,
    `-k ${paths(cfg).runDir}`,
    "-c listen_addresses=127.0.0.1",
    '-c max_connections=400',
    '-c shared_buffers=256MB',
    '-c fsync=on -c synchronous_commit=on',
  ].join(' ');
}

/** Idempotently installs, initialises and starts PostgreSQL; returns true when it had to start it. */
export async function postgresUp(cfg: StackConfig): Promise<boolean> {
  if (await postgresAnswers(cfg)) return false;
  const bin = binDir();
  initCluster(cfg, bin);
  const p = paths(cfg);
  ownDir(p.runDir);
  if (await portAnswers(cfg.postgres.port)) {
    throw new StackError(`port ${cfg.postgres.port} is taken by another program`, 'stop it or set ORDERFLOW_PG_PORT to a free port');
  }
  asOwner(join(bin, 'pg_ctl'), ['-D', p.dataDir, '-l', p.log, '-o', serverOptions(cfg), '-w', '-t', '60', 'start'], p.log);
  await waitFor('PostgreSQL', () => postgresAnswers(cfg), 30_000, `see ${p.log}`);
  await ensureDatabase(cfg, cfg.ferretdb.database);
  return true;
}

/** Stops PostgreSQL if this stack's data dir runs it. */
export async function postgresDown(cfg: StackConfig): Promise<boolean> {
  const p = paths(cfg);
  if (!existsSync(join(p.dataDir, 'postmaster.pid'))) return false;
  asOwner(join(binDir(), 'pg_ctl'), ['-D', p.dataDir, '-m', 'fast', '-w', 'stop'], p.log);
  return true;
}

/** A connection URL for a database on the stack's server. */
export function postgresUrl(cfg: StackConfig, database = 'postgres'): string {
  const { user, password, port } = cfg.postgres;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

// 10 s, not 2: on a loaded box a healthy Postgres can take seconds to accept, and "no answer" on a port
// that is listening is reported as "taken by another program". A stopped server refuses at once anyway.
async function withClient<T>(cfg: StackConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl(cfg), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function postgresAnswers(cfg: StackConfig): Promise<boolean> {
  return withClient(cfg, async (c) => (await c.query('select 1 as ok')).rows.length === 1).catch(() => false);
}

/** Creates a database if it does not exist yet. */
export async function ensureDatabase(cfg: StackConfig, name: string): Promise<void> {
  await withClient(cfg, async (c) => {
    const found = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await c.query(`create database "${name.replaceAll('"', '')}"`).catch((e: { code?: string }) => {
      if (e.code !== '42P04') throw e; // created concurrently by another starter
    });
  });
}

/** Version and liveness of the stack's PostgreSQL. */
export async function postgresStatus(cfg: StackConfig): Promise<ServiceStatus> {
  const version = await withClient(cfg, async (c) => String((await c.query('show server_version')).rows[0]?.server_version)).catch(() => undefined);
  const { dataDir } = paths(cfg);
  const installed = existsSync(join(dataDir, 'PG_VERSION')) && readdirSync(dataDir).length > 0;
  return { name: 'postgres', port: cfg.postgres.port, answers: version !== undefined, version: version ?? (installed ? 'installed' : 'not installed') };
}
