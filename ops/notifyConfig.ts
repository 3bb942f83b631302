import { resolve } from 'node:path';
import { z } from 'zod';
import { loadStackConfig } from '../stack/config.ts';
import { ConfigError, type AppEnv, parseEnv } from '../platform/index.ts';

/** Settings of the `notify` role, read from the environment by {@link loadNotifyConfig}. */
export interface NotifyConfig {
  smtp: {
    host: string;
    port: number;
    /** Implicit TLS (port 465 style). */
    secure: boolean;
    auth?: { user: string; pass: string };
  };
  /** `From` of customer mail (NOTIFY_FROM). */
  from: string;
  /**
   * ORDERFLOW_SMTP_SINK: start the local SMTP sink on `smtp.host:smtp.port`, storing each
   * message as an `.eml` file under `sinkDir`. On by default in development only.
   */
  sink: boolean;
  /** Where the sink stores mail: `<stack dir>/mail` (`.stack/mail`). */
  sinkDir: string;
  /**
   * Kafka session timeout of the notify consumer (NOTIFY_SESSION_TIMEOUT_MS): how long a crashed
   * worker's partitions wait before another member takes them (the broker's minimum is 6 s).
   */
  sessionTimeoutMs: number;
}

const flag = (what: string) =>
  z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], { error: `expected ${what}` }).transform((v) => ['true', '1', 'on', 'yes'].includes(v));

const schema = z
  .object({
    SMTP_HOST: z.string().min(1).default('127.0.0.1'),
    SMTP_PORT: z.coerce.number({ error: 'expected a port 1-65535' }).int().min(1, { error: 'expected a port 1-65535' }).max(65535, { error: 'expected a port 1-65535' }).default(2525),
    SMTP_SECURE: flag('true or false').default(false),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    NOTIFY_FROM: z.string().min(3).default('orders@orderflow.local'),
    ORDERFLOW_SMTP_SINK: flag('on or off').optional(),
    NOTIFY_SESSION_TIMEOUT_MS: z.coerce.number({ error: 'expected a positive number of milliseconds' }).int({ error: 'expected a positive number of milliseconds' }).positive({ error: 'expected a positive number of milliseconds' }).default(10_000),
  })
  .superRefine((c, ctx) => {
    if ((c.SMTP_USER === undefined) !== (c.SMTP_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.SMTP_USER === undefined ? 'SMTP_USER' : 'SMTP_PASSWORD'], message: 'set both SMTP_USER and SMTP_PASSWORD, or neither' });
    }
  });

/**
 * Reads the notify role's settings. `env` decides the sink's default (on in development).
 * @throws ConfigError naming the first bad variable (never echoing SMTP_PASSWORD).
 */
export function loadNotifyConfig(appEnv: AppEnv, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const c = parseEnv(schema, env, new Set(['SMTP_PASSWORD']));
  if (appEnv === 'production') {
    // The sink keeps customer mail on local disk and the default host is that sink: neither belongs in production.
    if (c.ORDERFLOW_SMTP_SINK === true) throw new ConfigError('ORDERFLOW_SMTP_SINK', 'invalid ORDERFLOW_SMTP_SINK: the local mail sink is refused in production');
    if (env['SMTP_HOST'] === undefined || env['SMTP_HOST'] === '') throw new ConfigError('SMTP_HOST', 'invalid SMTP_HOST: required in production (the default is the local mail sink)');
  }
  return {
    smtp: {
      host: c.SMTP_HOST,
      port: c.SMTP_PORT,
      secure: c.SMTP_SECURE,
      ...(c.SMTP_USER !== undefined && c.SMTP_PASSWORD !== undefined ? { auth: { user: c.SMTP_USER, pass: c.SMTP_PASSWORD } } : {}),
    },
    from: c.NOTIFY_FROM,
    sink: c.ORDERFLOW_SMTP_SINK ?? appEnv === 'development',
    sinkDir: resolve(loadStackConfig(env).dir, 'mail'),
    sessionTimeoutMs: c.NOTIFY_SESSION_TIMEOUT_MS,
  };
}
