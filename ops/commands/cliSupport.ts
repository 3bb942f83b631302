import { InvalidArgumentError } from 'commander';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { STORE_TIMEOUTS, type AppConfig } from '../../platform/index.ts';

/** Exit codes of every `orderflow` command: scripts may rely on them. */
export const ExitCode = {
  /** It worked. */
  OK: 0,
  /** It failed (a dependency is down, the operation was refused or broke). */
  FAILURE: 1,
  /** The command line was wrong (unknown option, bad value, missing argument). */
  USAGE: 2,
  /** The thing named does not exist (projection, dead letter, stream). */
  NOT_FOUND: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure with the exit code it maps to; the message is printed as one line. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.FAILURE,
  ) {
    super(message);
  }
}

/** @throws CliError with exit code 3. */
export function notFound(message: string): never {
  throw new CliError(message, ExitCode.NOT_FOUND);
}

/** Where a command writes: results to `out` (stdout), progress and diagnostics to `err` (stderr). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Redraws the progress line in place (stderr is a terminal). */
  redraw(text: string): void;
  /** stderr is a terminal (draw a progress bar rather than print lines). */
  isTTY: boolean;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (t) => void process.stdout.write(`${t}\n`),
  err: (t) => void process.stderr.write(`${t}\n`),
  redraw: (t) => void process.stderr.write(`\r\x1b[K${t}`),
  isTTY: process.stderr.isTTY === true,
};

/**
 * Runs a command's body and turns its outcome into the process exit code: the returned code, or
 * the code of a thrown {@link CliError}, or 1 for anything else (printed as one line).
 */
export async function runCommand(io: Io, body: () => Promise<ExitCode | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? ExitCode.OK;
  } catch (err) {
    const code = err instanceof CliError ? err.exitCode : ExitCode.FAILURE;
    io.err(`orderflow: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = code;
  }
}

/** Prints `value` as JSON, or the text lines. */
export function emit(io: Io, json: boolean | undefined, value: unknown, text: () => string[]): void {
  if (json) io.out(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
  else for (const line of text()) io.out(line);
}

/** Runs `fn` with a Mongo database of the configuration, closing the client afterwards. */
export async function withMongo<T>(config: AppConfig, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000, socketTimeoutMS: STORE_TIMEOUTS.backgroundMongoMs });
  try {
    await client.connect();
    return await fn(client.db(config.mongo.db));
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Runs `fn` with a small pool on the event store, ending it afterwards. */
export async function withPool<T>(config: AppConfig, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 4, connectionTimeoutMillis: 5000, statement_timeout: STORE_TIMEOUTS.backgroundStatementMs });
  pool.on('error', () => undefined);
  try {
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** commander value parser: a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** commander value parser: an ISO-8601 date-time. */
export function isoTime(value: string): Date {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new InvalidArgumentError('expected an ISO-8601 time, e.g. 2026-03-01T14:00:00Z');
  return new Date(ms);
}

/** Pads cells into aligned columns. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}
