import { z } from 'zod';
import { DEFAULT_DB_PASSWORD, defaultAuthMode, isSymmetric, JWT_ALGORITHMS, urlPassword, type JwtAlgorithm } from './authPolicy.ts';
import { AppError } from '../contracts/index.ts';
import { localStackUrls } from './localStack.ts';
import { EDGE_SECRETS, edgeConfigOf, edgeIssues, edgeShape, type ConsistencyConfig, type RateLimitConfig } from './edgeConfig.ts';

/** Deployment environment; decides GraphiQL, introspection and which auth modes are allowed. */
export type AppEnv = 'development' | 'test' | 'production';

/**
 * `dev` accepts `Bearer dev:<subject>:<roles>` tokens; `jwt` verifies signed JWTs; `none` (a
 * non-loopback listener with no auth configured) refuses every bearer token.
 */
export type AuthMode = 'dev' | 'jwt' | 'none';

/** pino log levels accepted by `LOG_LEVEL`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The application configuration, read once from environment variables by {@link loadConfig}. */
export interface AppConfig {
  env: AppEnv;
  logLevel: LogLevel;
  http: {
    host: string;
    /** 0 picks a free port (tests). */
    port: number;
    maxBodyBytes: number;
  };
  /**
   * The operations listener of a role process: `/healthz`, `/readyz`, `/metrics`
   * (ORDERFLOW_OPS_HOST / ORDERFLOW_OPS_PORT). Port 0 = none; the serve role answers them on its
   * GraphQL port anyway. `debugHeap` (ORDERFLOW_DEBUG_HEAP=1) adds `/debug/heap`: a forced GC (when
   * node runs with --expose-gc), then the heap used and RSS: for the soak run, not for production.
   */
  ops: { host: string; port: number; debugHeap: boolean };
  /** Bound of a graceful shutdown (ORDERFLOW_SHUTDOWN_TIMEOUT_MS); past it the process exits 1. */
  shutdownTimeoutMs: number;
  /** `poolSize`: connections of the API's pool (ORDERFLOW_API_PG_POOL_SIZE); the other roles size theirs by their work. */
  postgres: { url: string; poolSize: number };
  kafka: {
    brokers: string[];
    clientId: string;
    topicPrefix: string;
    topicPartitions: number;
    topicReplication: number;
  };
  mongo: { url: string; db: string };
  auth: {
    mode: AuthMode;
    jwtSecret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** Accepted `alg` values, explicit (never read from the token). */
    algorithms: JwtAlgorithm[];
    /** Refuse tokens without `exp` (always in production). */
    requireExp: boolean;
    /** Refuse tokens whose `iat` is older than this (production default 86 400 s). */
    maxTokenAgeSeconds?: number;
  };
  limits: {
    maxQueryDepth: number;
    maxQueryCost: number;
    maxAliases: number;
    /** Directives per operation (graphql-armor's max-directives). */
    maxDirectives: number;
    /** Lexical tokens per document; the parser stops past it. */
    maxTokens: number;
    rateLimitPerMinute: number;
  };
  /** graphql-ws bounds: every socket, subscription and send buffer has a cap. */
  websocket: {
    maxSocketsPerIp: number;
    maxSocketsPerSubject: number;
    maxSubscriptionsPerSocket: number;
    /** A socket whose unsent bytes pass this is a slow consumer and is closed (4408). */
    maxBufferedBytes: number;
    /** How often a socket's token is verified again (0 = only at connect and at its `exp`). */
    authRecheckMs: number;
  };
  consistencyTimeoutMs: number;
  /** Signed consistency tokens and the shared checkpoint poller (API edge). */
  consistency: ConsistencyConfig;
  /** The rate limit shared by every API replica through Redis. */
  rateLimit: RateLimitConfig;
  /** The API's per-process LRU of view documents (point reads); `entries` 0 turns it off. */
  viewCache: { entries: number; megabytes: number };
  /** Events per Kafka send of the relay (ORDERFLOW_RELAY_BATCH_SIZE): a crash re-sends at most one batch. */
  relay: { batchSize: number };
  /**
   * Group commit of appends (ORDERFLOW_GROUP_COMMIT_MAX / ORDERFLOW_GROUP_COMMIT_WINDOW_US):
   * concurrent commands on different streams share one statement of up to `maxCommands`
   * (1 = off); the first waits up to `windowMicros` for companions when none is in flight.
   */
  groupCommit: { maxCommands: number; windowMicros: number };
  projector: {
    maxAttempts: number;
    /**
     * What the projector role does at start for a projection whose code version differs from the
     * one that built its live views: `auto` rebuilds it (in the background, views keep answering),
     * `warn` only logs it (run `orderflow projections rebuild <name>`).
     */
    rebuildOnStart: 'auto' | 'warn';
  };
}

/** A configuration value is missing or invalid; the message is one line naming the variable. */
export class ConfigError extends AppError<'INVALID_CONFIG'> {
  override readonly name = 'ConfigError';
  declare readonly retriable: false;
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('INVALID_CONFIG', message, false);
  }
}

const positiveInt = (what: string) =>
  z.coerce.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });

const url = (protocols: RegExp, what: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `expected ${what}`);

const broker = /^[A-Za-z0-9.-]+:\d{1,5}$/;


const schema = z
  .object({
    ORDERFLOW_ENV: z.enum(['development', 'test', 'production'], { error: 'expected development, test or production' }),
    ORDERFLOW_HTTP_PORT: z.coerce.number({ error: 'expected a port 0-65535' }).int().min(0).max(65535, { error: 'expected a port 0-65535' }).default(4000),
    ORDERFLOW_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    ORDERFLOW_OPS_PORT: z.coerce.number({ error: 'expected a port 0-65535' }).int().min(0).max(65535, { error: 'expected a port 0-65535' }).default(0),
    ORDERFLOW_OPS_HOST: z.string().min(1).default('127.0.0.1'),
    ORDERFLOW_DEBUG_HEAP: z.enum(['0', '1'], { error: 'expected 0 or 1' }).default('0'),
    ORDERFLOW_SHUTDOWN_TIMEOUT_MS: positiveInt('a positive number of milliseconds').default(20_000),
    // No default here: production must name its databases; development falls back in loadConfig.
    DATABASE_URL: url(/^postgres(ql)?:$/, 'a postgres:// URL').optional(),
    ORDERFLOW_API_PG_POOL_SIZE: positiveInt('a positive number of connections').default(20),
    KAFKA_BROKERS: z
      .string()
      .transform((v) => v.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
      .refine((list) => list.length > 0 && list.every((b) => broker.test(b)), 'expected a comma-separated list of host:port'),
    KAFKA_CLIENT_ID: z.string().min(1).default('orderflow'),
    ORDERFLOW_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"').default(''),
    ORDERFLOW_TOPIC_PARTITIONS: positiveInt('a positive integer').default(6),
    ORDERFLOW_TOPIC_REPLICATION: positiveInt('a positive integer').default(1),
    MONGO_URL: url(/^mongodb(\+srv)?:$/, 'a mongodb:// URL').optional(),
    MONGO_DB: z.string().regex(/^[^/\\. "$]{1,63}$/, 'expected a MongoDB database name').default('orderflow'),
    ORDERFLOW_AUTH_MODE: z.enum(['dev', 'jwt'], { error: 'expected dev or jwt' }).optional(),
    ORDERFLOW_JWT_SECRET: z.string().min(32, 'expected at least 32 characters (HS256 needs a 256-bit key)').optional(),
    ORDERFLOW_JWKS_URL: url(/^https?:$/, 'an http(s) URL').optional(),
    ORDERFLOW_JWT_ALGORITHMS: z
      .string()
      .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a.length > 0))
      .refine((list) => list.length > 0 && list.every((a) => (JWT_ALGORITHMS as readonly string[]).includes(a)), `expected a comma-separated list of ${JWT_ALGORITHMS.join(', ')}`)
      .transform((list) => list as JwtAlgorithm[])
      .optional(),
    ORDERFLOW_JWT_MAX_AGE_SECONDS: positiveInt('a positive number of seconds').optional(),
    ORDERFLOW_JWT_ISSUER: z.string().min(1).optional(),
    ORDERFLOW_JWT_AUDIENCE: z.string().min(1).optional(),
    ORDERFLOW_CONSISTENCY_TIMEOUT_MS: positiveInt('a positive number of milliseconds').default(5000),
    ORDERFLOW_VIEW_CACHE_ENTRIES: z.coerce.number({ error: 'expected a non-negative integer' }).int({ error: 'expected a non-negative integer' }).min(0, { error: 'expected a non-negative integer' }).default(100_000),
    ORDERFLOW_VIEW_CACHE_MB: positiveInt('a positive number of megabytes').default(128),
    ORDERFLOW_RELAY_BATCH_SIZE: positiveInt('a positive number of events').default(1000),
    ORDERFLOW_GROUP_COMMIT_MAX: positiveInt('a positive number of commands (1 = off)').default(32),
    ORDERFLOW_GROUP_COMMIT_WINDOW_US: z.coerce.number({ error: 'expected a non-negative number of microseconds' }).int().min(0, { error: 'expected a non-negative number of microseconds' }).default(0),
    ORDERFLOW_PROJECTOR_MAX_ATTEMPTS: positiveInt('a positive number of attempts').default(5),
    ORDERFLOW_REBUILD_ON_START: z.enum(['auto', 'warn'], { error: 'expected auto or warn' }).optional(),
    ORDERFLOW_MAX_QUERY_DEPTH: positiveInt('a positive integer').default(10),
    ORDERFLOW_MAX_QUERY_COST: positiveInt('a positive integer').default(1000),
    ORDERFLOW_MAX_ALIASES: z.coerce.number({ error: 'expected a non-negative integer' }).int().min(0, { error: 'expected a non-negative integer' }).default(20),
    ORDERFLOW_MAX_DIRECTIVES: z.coerce.number({ error: 'expected a non-negative integer' }).int().min(0, { error: 'expected a non-negative integer' }).default(50),
    ORDERFLOW_MAX_TOKENS: positiveInt('a positive integer').default(5000),
    ORDERFLOW_MAX_BODY_BYTES: positiveInt('a positive number of bytes').default(1_048_576),
    ORDERFLOW_RATE_LIMIT_PER_MINUTE: positiveInt('a positive integer').default(600),
    ORDERFLOW_WS_MAX_SOCKETS_PER_IP: positiveInt('a positive integer').default(100),
    ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT: positiveInt('a positive integer').default(20),
    ORDERFLOW_WS_MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt('a positive integer').default(50),
    ORDERFLOW_WS_MAX_BUFFERED_BYTES: positiveInt('a positive number of bytes').default(4 * 1_048_576),
    ORDERFLOW_WS_AUTH_RECHECK_MS: z.coerce.number({ error: 'expected a non-negative number of milliseconds' }).int().min(0, { error: 'expected a non-negative number of milliseconds' }).default(60_000),
    ...edgeShape,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected fatal, error, warn, info, debug, trace or silent' }).default('info'),
  })
  .superRefine((c, ctx) => {
    const issue = (variable: string, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
    const prod = c.ORDERFLOW_ENV === 'production';
    for (const [variable, message] of edgeIssues(c)) issue(variable, message);
    const mode = authModeOf(c);
    if (prod && mode !== 'jwt') issue('ORDERFLOW_AUTH_MODE', 'must be jwt when ORDERFLOW_ENV=production');
    if (mode === 'jwt' && !c.ORDERFLOW_JWT_SECRET && !c.ORDERFLOW_JWKS_URL) issue('ORDERFLOW_JWT_SECRET', 'required in jwt auth mode (or set ORDERFLOW_JWKS_URL)');
    const algorithms = algorithmsOf(c);
    if (c.ORDERFLOW_JWKS_URL && algorithms.some(isSymmetric)) issue('ORDERFLOW_JWT_ALGORITHMS', 'HS* algorithms need ORDERFLOW_JWT_SECRET, not a JWKS');
    if (!c.ORDERFLOW_JWKS_URL && c.ORDERFLOW_JWT_SECRET && !algorithms.every(isSymmetric)) issue('ORDERFLOW_JWT_ALGORITHMS', 'with ORDERFLOW_JWT_SECRET only HS256, HS384 or HS512');
    if (!prod) return;
    // Production posture: nothing security-relevant falls back to a development default.
    if (c.ORDERFLOW_JWKS_URL && !c.ORDERFLOW_JWKS_URL.startsWith('https:')) issue('ORDERFLOW_JWKS_URL', 'must be https in production');
    if (!c.ORDERFLOW_JWT_ISSUER) issue('ORDERFLOW_JWT_ISSUER', 'required in production');
    if (!c.ORDERFLOW_JWT_AUDIENCE) issue('ORDERFLOW_JWT_AUDIENCE', 'required in production');
    if (!c.DATABASE_URL) issue('DATABASE_URL', 'required in production (no default database)');
    else if (urlPassword(c.DATABASE_URL) === DEFAULT_DB_PASSWORD) issue('DATABASE_URL', 'uses the development default password; set a real one in production');
    if (!c.MONGO_URL) issue('MONGO_URL', 'required in production (no default database)');
    else if (urlPassword(c.MONGO_URL) === DEFAULT_DB_PASSWORD) issue('MONGO_URL', 'uses the development default password; set a real one in production');
  });

type Parsed = {
  ORDERFLOW_ENV: AppEnv;
  ORDERFLOW_HTTP_HOST: string;
  ORDERFLOW_AUTH_MODE?: 'dev' | 'jwt' | undefined;
  ORDERFLOW_JWT_SECRET?: string | undefined;
  ORDERFLOW_JWKS_URL?: string | undefined;
  ORDERFLOW_JWT_ALGORITHMS?: JwtAlgorithm[] | undefined;
};
function authModeOf(c: Parsed): AuthMode {
  return c.ORDERFLOW_AUTH_MODE ?? defaultAuthMode({ env: c.ORDERFLOW_ENV, host: c.ORDERFLOW_HTTP_HOST, hasKey: Boolean(c.ORDERFLOW_JWT_SECRET ?? c.ORDERFLOW_JWKS_URL) });
}
/** Explicit by default too: HS256 for a shared secret, RS256 for a JWKS. */
function algorithmsOf(c: Parsed): JwtAlgorithm[] {
  return c.ORDERFLOW_JWT_ALGORITHMS ?? (c.ORDERFLOW_JWKS_URL ? ['RS256'] : ['HS256']);
}

/** Variables whose value must never appear in an error message. */
const SECRET = new Set<string>(['ORDERFLOW_JWT_SECRET', 'DATABASE_URL', 'MONGO_URL', ...EDGE_SECRETS]);

/**
 * Reads and validates the configuration once. Empty variables count as unset.
 * @throws ConfigError naming the first bad or missing variable, in one line.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  // NODE_ENV=production (set by the Dockerfile and most platforms) means production unless told otherwise.
  input['ORDERFLOW_ENV'] ??= env['NODE_ENV'] === 'production' ? 'production' : 'development';
  // Development falls back on the local stack, wherever its ports were moved (production must name its databases).
  const local = localStackUrls(env);
  input['KAFKA_BROKERS'] ??= local.kafkaBrokers;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    const raw = input[variable];
    const shown = raw === undefined ? '' : SECRET.has(variable) ? '' : ` (got ${JSON.stringify(raw.slice(0, 60))})`;
    const message = `invalid ${variable}: ${(issue?.message ?? 'invalid value').replace(/\s+/g, ' ')}${shown}`;
    throw new ConfigError(variable, message);
  }
  const c = parsed.data;
  return {
    env: c.ORDERFLOW_ENV,
    logLevel: c.LOG_LEVEL,
    http: { host: c.ORDERFLOW_HTTP_HOST, port: c.ORDERFLOW_HTTP_PORT, maxBodyBytes: c.ORDERFLOW_MAX_BODY_BYTES },
    postgres: { url: c.DATABASE_URL ?? local.postgres, poolSize: c.ORDERFLOW_API_PG_POOL_SIZE },
    ops: { host: c.ORDERFLOW_OPS_HOST, port: c.ORDERFLOW_OPS_PORT, debugHeap: c.ORDERFLOW_DEBUG_HEAP === '1' },
    shutdownTimeoutMs: c.ORDERFLOW_SHUTDOWN_TIMEOUT_MS,
    kafka: {
      brokers: c.KAFKA_BROKERS,
      clientId: c.KAFKA_CLIENT_ID,
      topicPrefix: c.ORDERFLOW_TOPIC_PREFIX,
      topicPartitions: c.ORDERFLOW_TOPIC_PARTITIONS,
      topicReplication: c.ORDERFLOW_TOPIC_REPLICATION,
    },
    mongo: { url: c.MONGO_URL ?? local.mongo, db: c.MONGO_DB },
    auth: {
      mode: authModeOf(c),
      ...(c.ORDERFLOW_JWT_SECRET !== undefined && { jwtSecret: c.ORDERFLOW_JWT_SECRET }),
      ...(c.ORDERFLOW_JWKS_URL !== undefined && { jwksUrl: c.ORDERFLOW_JWKS_URL }),
      ...(c.ORDERFLOW_JWT_ISSUER !== undefined && { issuer: c.ORDERFLOW_JWT_ISSUER }),
      ...(c.ORDERFLOW_JWT_AUDIENCE !== undefined && { audience: c.ORDERFLOW_JWT_AUDIENCE }),
      algorithms: algorithmsOf(c),
      requireExp: c.ORDERFLOW_ENV === 'production',
      ...((c.ORDERFLOW_JWT_MAX_AGE_SECONDS ?? (c.ORDERFLOW_ENV === 'production' ? 86_400 : undefined)) !== undefined && {
        maxTokenAgeSeconds: c.ORDERFLOW_JWT_MAX_AGE_SECONDS ?? 86_400,
      }),
    },
    limits: {
      maxQueryDepth: c.ORDERFLOW_MAX_QUERY_DEPTH,
      maxQueryCost: c.ORDERFLOW_MAX_QUERY_COST,
      maxAliases: c.ORDERFLOW_MAX_ALIASES,
      maxDirectives: c.ORDERFLOW_MAX_DIRECTIVES,
      maxTokens: c.ORDERFLOW_MAX_TOKENS,
      rateLimitPerMinute: c.ORDERFLOW_RATE_LIMIT_PER_MINUTE,
    },
    websocket: {
      maxSocketsPerIp: c.ORDERFLOW_WS_MAX_SOCKETS_PER_IP,
      maxSocketsPerSubject: c.ORDERFLOW_WS_MAX_SOCKETS_PER_SUBJECT,
      maxSubscriptionsPerSocket: c.ORDERFLOW_WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxBufferedBytes: c.ORDERFLOW_WS_MAX_BUFFERED_BYTES,
      authRecheckMs: c.ORDERFLOW_WS_AUTH_RECHECK_MS,
    },
    consistencyTimeoutMs: c.ORDERFLOW_CONSISTENCY_TIMEOUT_MS,
    ...edgeConfigOf(c, c.ORDERFLOW_ENV === 'production', local.redis),
    viewCache: { entries: c.ORDERFLOW_VIEW_CACHE_ENTRIES, megabytes: c.ORDERFLOW_VIEW_CACHE_MB },
    relay: { batchSize: c.ORDERFLOW_RELAY_BATCH_SIZE },
    groupCommit: { maxCommands: c.ORDERFLOW_GROUP_COMMIT_MAX, windowMicros: c.ORDERFLOW_GROUP_COMMIT_WINDOW_US },
    projector: {
      maxAttempts: c.ORDERFLOW_PROJECTOR_MAX_ATTEMPTS,
      rebuildOnStart: c.ORDERFLOW_REBUILD_ON_START ?? (c.ORDERFLOW_ENV === 'production' ? 'warn' : 'auto'),
    },
  };
}

/**
 * What the API edge (the serve role: it mints and checks consistency tokens and shares the rate
 * limit) needs beyond {@link loadConfig}: in production a consistency key and a Redis URL, which
 * never fall back to development defaults. The other roles do not need them.
 * @throws ConfigError naming the missing variable.
 */
export function requireEdgeSecrets(config: Pick<AppConfig, 'env' | 'consistency' | 'rateLimit'>): void {
  if (config.env !== 'production') return;
  if (!config.consistency.signing) throw new ConfigError('ORDERFLOW_CONSISTENCY_KEY', 'invalid ORDERFLOW_CONSISTENCY_KEY: required in production by the serve role (HMAC key of the consistency tokens, 32+ characters)');
  if (!config.rateLimit.redisUrl) throw new ConfigError('REDIS_URL', 'invalid REDIS_URL: required in production by the serve role (the rate limit shared by every API replica)');
}
