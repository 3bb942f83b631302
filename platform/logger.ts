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

/**
 * A logger that `make` builds on first use (any property read), at most once. A request's child
 * logger costs its bindings' serialisation and redaction when it is made; most requests never log,
 * and a getter would not do: Apollo copies the context per request (`Object.assign`), which reads it.
 */
export function lazyLogger(make: () => Logger): Logger {
  let real: Logger | undefined;
  const target = () => (real ??= make());
  // The proxy's own target is never used: every trap goes to the real logger.
  return new Proxy(Object.create(null) as Logger, {
    get(_t, key) {
      const l = target();
      const v: unknown = Reflect.get(l, key, l);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(l) : v;
    },
    set: (_t, key, value) => Reflect.set(target(), key, value),
    has: (_t, key) => Reflect.has(target(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}
