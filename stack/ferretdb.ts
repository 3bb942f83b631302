import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { projectRoot, StackError, type StackConfig } from './config.ts';
import { hasCommand, livePid, portAnswers, run, startDaemon, stopDaemon, waitFor } from './process.ts';
import { ensureDatabase, postgresUrl } from './postgres.ts';
import type { ServiceStatus } from './service.ts';

const FERRETDB_VERSION = '1.24.2';
const pidFile = (cfg: StackConfig) => join(cfg.ferretdb.home, 'ferretdb.pid');

/** Builds our small embedding program once from the Go module proxy (see stack/ferretdb/main.go for why). */
function ensureBinary(cfg: StackConfig): void {
  if (existsSync(cfg.ferretdb.binary)) return;
  if (!hasCommand('go')) throw new StackError('Go not found; it builds FerretDB', 'install Go 1.22+ (https://go.dev/dl or apt-get install golang)');
  mkdirSync(cfg.ferretdb.home, { recursive: true });
  run('go', ['build', '-o', cfg.ferretdb.binary, '.'], 'the Go module proxy refused FerretDB: check access to proxy.golang.org, then run `npm run stack:up` again', {
    cwd: join(projectRoot, 'stack/ferretdb'),
  });
}

/** The MongoDB connection URL of the stack's FerretDB. */
export function mongoUrl(cfg: StackConfig): string {
  return `mongodb://127.0.0.1:${cfg.ferretdb.port}/?directConnection=true`;
}

/** True when FerretDB answers a ping over the MongoDB wire protocol. */
export async function ferretdbAnswers(cfg: StackConfig): Promise<boolean> {
  if (!(await portAnswers(cfg.ferretdb.port))) return false;
  const client = new MongoClient(mongoUrl(cfg), { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000, socketTimeoutMS: 10_000 });
  try {
    await client.connect();
    const r = await client.db('admin').command({ ping: 1 });
    return r.ok === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Idempotently builds and starts FerretDB over the stack's PostgreSQL; returns true when it had to start it. */
export async function ferretdbUp(cfg: StackConfig): Promise<boolean> {
  if (livePid(pidFile(cfg)) === undefined) {
    if (await portAnswers(cfg.ferretdb.port)) {
      if (await ferretdbAnswers(cfg)) return false;
      throw new StackError(`port ${cfg.ferretdb.port} is taken by another program`, 'stop it or set ORDERFLOW_MONGO_PORT to a free port');
    }
    ensureBinary(cfg);
    await ensureDatabase(cfg, cfg.ferretdb.database);
    startDaemon(cfg.ferretdb.binary, ['-listen', `127.0.0.1:${cfg.ferretdb.port}`, '-postgresql-url', postgresUrl(cfg, cfg.ferretdb.database)], cfg.ferretdb.log, pidFile(cfg));
    await waitFor('FerretDB', () => ferretdbAnswers(cfg), 60_000, `see ${cfg.ferretdb.log}`);
    return true;
  }
  // Running but not answering: a hung server (seen under heavy DDL churn) is restarted, not waited on forever.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await ferretdbAnswers(cfg)) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  await stopDaemon(pidFile(cfg), 5_000);
  return ferretdbUp(cfg);
}

/** Stops the FerretDB this stack started. */
export function ferretdbDown(cfg: StackConfig): Promise<boolean> {
  return stopDaemon(pidFile(cfg));
}

/** Version and liveness of the stack's FerretDB. */
export async function ferretdbStatus(cfg: StackConfig): Promise<ServiceStatus> {
  const pid = livePid(pidFile(cfg));
  const version = existsSync(cfg.ferretdb.binary) ? FERRETDB_VERSION : 'not installed';
  return { name: 'ferretdb', port: cfg.ferretdb.port, answers: await ferretdbAnswers(cfg), version, ...(pid ? { pid } : {}) };
}
