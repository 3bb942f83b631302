import { resolve } from 'node:path';
import { z } from 'zod';
import { LOCAL_STACK_DEFAULTS as D } from './ports.ts';

/** Root of the project (the folder holding package.json). */
export const projectRoot = resolve(import.meta.dirname, '..');

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  ORDERFLOW_STACK_DIR: z.string().default(resolve(projectRoot, '.stack')),
  ORDERFLOW_PG_PORT: port.default(D.ORDERFLOW_PG_PORT),
  ORDERFLOW_PG_USER: z.string().default(D.ORDERFLOW_PG_USER),
  ORDERFLOW_PG_PASSWORD: z.string().default(D.ORDERFLOW_PG_PASSWORD),
  ORDERFLOW_KAFKA_PORT: port.default(D.ORDERFLOW_KAFKA_PORT),
  ORDERFLOW_KAFKA_CONTROLLER_PORT: port.default(D.ORDERFLOW_KAFKA_CONTROLLER_PORT),
  ORDERFLOW_KAFKA_HEAP: z.string().default('512m'),
  ORDERFLOW_KAFKA_LIB_DIR: z.string().optional(),
  ORDERFLOW_MONGO_PORT: port.default(D.ORDERFLOW_MONGO_PORT),
  ORDERFLOW_FERRETDB_BIN: z.string().optional(),
  ORDERFLOW_FERRETDB_DATABASE: z.string().regex(/^[a-z0-9_]+$/).default('ferretdb'),
  ORDERFLOW_REDIS_PORT: port.default(D.ORDERFLOW_REDIS_PORT),
});

/** Where each local service listens and keeps its files; every value overridable by env var. */
export interface StackConfig {
  dir: string;
  postgres: { port: number; user: string; password: string; dataDir: string; runDir: string; log: string };
  kafka: { port: number; controllerPort: number; heap: string; home: string; libDir: string; dataDir: string; log: string };
  ferretdb: { port: number; home: string; binary: string; log: string; database: string };
  redis: { port: number; home: string; log: string };
}

/** Reads the stack configuration from the environment; a bad value names the variable. */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StackError(`invalid ${String(issue?.path[0])}: ${issue?.message}`, 'fix or unset that environment variable');
  }
  const c = parsed.data;
  const dir = c.ORDERFLOW_STACK_DIR;
  return {
    dir,
    postgres: {
      port: c.ORDERFLOW_PG_PORT,
      user: c.ORDERFLOW_PG_USER,
      password: c.ORDERFLOW_PG_PASSWORD,
      dataDir: resolve(dir, 'postgres/data'),
      runDir: resolve(dir, 'postgres/run'),
      log: resolve(dir, 'postgres/postgres.log'),
    },
    kafka: {
      port: c.ORDERFLOW_KAFKA_PORT,
      controllerPort: c.ORDERFLOW_KAFKA_CONTROLLER_PORT,
      heap: c.ORDERFLOW_KAFKA_HEAP,
      home: resolve(dir, 'kafka'),
      libDir: c.ORDERFLOW_KAFKA_LIB_DIR ?? resolve(dir, 'kafka/lib'),
      dataDir: resolve(dir, 'kafka/data'),
      log: resolve(dir, 'kafka/kafka.log'),
    },
    ferretdb: {
      port: c.ORDERFLOW_MONGO_PORT,
      home: resolve(dir, 'ferretdb'),
      binary: c.ORDERFLOW_FERRETDB_BIN ?? resolve(dir, 'ferretdb/ferretdb'),
      log: resolve(dir, 'ferretdb/ferretdb.log'),
      database: c.ORDERFLOW_FERRETDB_DATABASE,
    },
    redis: {
      port: c.ORDERFLOW_REDIS_PORT,
      home: resolve(dir, 'redis'),
      log: resolve(dir, 'redis/redis.log'),
    },
  };
}

/** A stack failure the user can act on: one line saying what failed and how to fix it. */
export class StackError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'StackError';
  }
  /** The one line printed to the user. */
  line(): string {
    return `stack: ${this.message} — ${this.fix}`;
  }
}
