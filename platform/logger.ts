import { pino, type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from './config.ts';
import { currentTraceparent, traceIdOf } from './telemetry.ts';

export type { Logger };

/** Keys whose values never reach a log line, at any depth up to four levels. */
const SECRET_KEYS = ['paymentToken', 'authorization', 'password'];

/** The redaction paths pino gets: `key`, `*.key`, `*.*.key`, `*.*.*.key` for each secret key. */
export const redactPaths: string[] = SECRET_KEYS.flatMap((key) => ['', '*.', '*.*.', '*.*.*.'].map((prefix) => `${prefix}${key}`));

/**
 * A JSON logger (pino) at `config.logLevel`, with `paymentToken`, `authorization` and `password`
 * censored wherever they appear (up to four levels deep). `destination` is for tests.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'env'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'orderflow', env: config.env, pid: process.pid },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A child logger carrying `correlationId` and the `traceId` of the active span (or of the given
 * traceparent), so every line of one request or message can be found together.
 */
export function childLogger(logger: Logger, fields: { correlationId: string; traceparent?: string | null; [key: string]: unknown }): Logger {
  const { traceparent, ...rest } = fields;
  const traceId = traceIdOf(traceparent ?? currentTraceparent());
  return logger.child(traceId ? { ...rest, traceId } : rest);
}
