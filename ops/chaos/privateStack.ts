import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStackConfig, projectRoot, type StackConfig } from '../../stack/config.ts';
import { ferretdbUp, mongoUrl } from '../../stack/ferretdb.ts';
import { kafkaUp } from '../../stack/kafka.ts';
import { postgresDown, postgresUp, postgresUrl, ensureDatabase } from '../../stack/postgres.ts';
import { postgresPaths } from '../../stack/postgresHome.ts';
import { livePid } from '../../stack/process.ts';
import { stackDown, stackUp } from '../../stack/stack.ts';

/** Ports of the chaos run's own stack: never the shared one's, since the run kills its engines. */
export const CHAOS_PORTS = { postgres: 5443, kafka: 9192, kafkaController: 9193, mongo: 27117, redis: 6390, api: 4100 } as const;

/** The chaos run's private stack: its settings, and the URLs the topology uses. */
export interface PrivateStack {
  cfg: StackConfig;
  /** The environment that points the stack code (and the topology's children) at this stack. */
  env: Record<string, string>;
  databaseUrl: string;
  mongoUrl: string;
  brokers: string[];
}

/**
 * Settings of the private stack: folder `ORDERFLOW_CHAOS_STACK_DIR` (default `.stack/chaos-stack`),
 * the {@link CHAOS_PORTS}, and the Kafka jars and FerretDB binary of the regular stack when it has
 * them (no second download or build).
 */
export function privateStackConfig(env: NodeJS.ProcessEnv = process.env): PrivateStack {
  const shared = loadStackConfig(env);
  const dir = env['ORDERFLOW_CHAOS_STACK_DIR'] ?? resolve(projectRoot, '.stack/chaos-stack');
  const stackEnv: Record<string, string> = {
    ORDERFLOW_STACK_DIR: dir,
    ORDERFLOW_PG_PORT: String(CHAOS_PORTS.postgres),
    ORDERFLOW_KAFKA_PORT: String(CHAOS_PORTS.kafka),
    ORDERFLOW_KAFKA_CONTROLLER_PORT: String(CHAOS_PORTS.kafkaController),
    ORDERFLOW_MONGO_PORT: String(CHAOS_PORTS.mongo),
    ORDERFLOW_REDIS_PORT: String(CHAOS_PORTS.redis),
    REDIS_URL: `redis://127.0.0.1:${CHAOS_PORTS.redis}`,
    ORDERFLOW_KAFKA_HEAP: env['ORDERFLOW_KAFKA_HEAP'] ?? '512m',
  };
  if (existsSync(join(shared.kafka.libDir, 'kafka_2.13-3.9.1.jar'))) stackEnv['ORDERFLOW_KAFKA_LIB_DIR'] = shared.kafka.libDir;
  if (existsSync(shared.ferretdb.binary)) stackEnv['ORDERFLOW_FERRETDB_BIN'] = shared.ferretdb.binary;
  const cfg = loadStackConfig({ ...env, ...stackEnv });
  return {
    cfg,
    env: stackEnv,
    databaseUrl: postgresUrl(cfg, 'orderflow_chaos'),
    mongoUrl: mongoUrl(cfg),
    brokers: [`127.0.0.1:${cfg.kafka.port}`],
  };
}

/** Starts the private stack (idempotent) and creates the run's database. */
export async function privateStackUp(stack: PrivateStack): Promise<void> {
  await stackUp(stack.cfg);
  await ensureDatabase(stack.cfg, 'orderflow_chaos');
}

/** Stops every engine of the private stack (never the shared one: other ports, other folder). */
export function privateStackDown(stack: PrivateStack): Promise<void> {
  return stackDown(stack.cfg);
}

/** Pid of a running engine of the private stack (Kafka, FerretDB by their pid files; Postgres by postmaster.pid). */
export function enginePid(stack: PrivateStack, engine: 'kafka' | 'ferretdb' | 'postgres'): number | undefined {
  if (engine === 'kafka') return livePid(join(stack.cfg.kafka.home, 'kafka.pid'));
  if (engine === 'ferretdb') return livePid(join(stack.cfg.ferretdb.home, 'ferretdb.pid'));
  const file = join(postgresPaths(stack.cfg, process.getuid?.() === 0).dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Postgres fast shutdown, then start again (what an operator's restart does). */
export async function restartPostgres(stack: PrivateStack): Promise<void> {
  await postgresDown(stack.cfg);
  await postgresUp(stack.cfg);
}

/** Starts Kafka or FerretDB again after a kill (their `up` notices the dead pid and restarts). */
export async function restartEngine(stack: PrivateStack, engine: 'kafka' | 'ferretdb'): Promise<void> {
  if (engine === 'kafka') await kafkaUp(stack.cfg);
  else await ferretdbUp(stack.cfg);
}
