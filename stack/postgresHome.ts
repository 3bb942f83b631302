import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { StackConfig } from './config.ts';
import { tryRun } from './process.ts';

/** Where clusters go when the `postgres` user cannot reach the stack folder (the system's state directory). */
export const SYSTEM_STATE_ROOT = '/var/lib/orderflow';

/** The deepest existing folder on the way to `path` (itself when it exists). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * True when the `postgres` OS user can reach `dir` (or, before it exists, its nearest existing
 * ancestor): every folder on the way must let it through. A clone inside a mode-700 folder (root's
 * home, a private temp dir) fails this, and initdb, which runs as that user, could not reach a data
 * directory there. (Writing is not needed: the stack creates the cluster's folder and gives it to that user.)
 */
export function postgresUserReaches(dir: string): boolean {
  return tryRun('runuser', ['-u', 'postgres', '--', 'test', '-x', nearestExisting(dir)]);
}

/**
 * The Postgres paths of a stack as the server will use them. Unchanged unless we run as root and the
 * `postgres` user cannot reach the stack folder; then the cluster lives in a folder that user owns,
 * `/var/lib/orderflow/<hash of the stack folder>/postgres`, one per stack folder (so two clones never
 * share a cluster). A cluster already initialised in the stack folder always stays there.
 * `stateRoot` is for tests.
 */
export function postgresPaths(cfg: StackConfig, isRoot: boolean, stateRoot = SYSTEM_STATE_ROOT): StackConfig['postgres'] & { relocated: boolean } {
  const inTree = { ...cfg.postgres, relocated: false };
  if (!isRoot || existsSync(join(cfg.postgres.dataDir, 'PG_VERSION')) || postgresUserReaches(cfg.dir)) return inTree;
  const home = join(stateRoot, createHash('sha256').update(resolve(cfg.dir)).digest('hex').slice(0, 16), 'postgres');
  return { ...cfg.postgres, dataDir: join(home, 'data'), runDir: join(home, 'run'), log: join(home, 'postgres.log'), relocated: true };
}
