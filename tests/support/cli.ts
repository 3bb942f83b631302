import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { kafkaBrokers, mongoConnectionUrl } from './isolation.ts';

/** The `orderflow` bin, as `npx orderflow` runs it. */
export const ORDERFLOW_BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'orderflow.mjs');

/** Environment pointing the CLI at a test's isolated databases and topic prefix. */
export function cliEnv(t: { databaseUrl: string; mongoDb: string; prefix?: string }): Record<string, string> {
  return {
    ORDERFLOW_ENV: 'test', ORDERFLOW_AUTH_MODE: 'dev', LOG_LEVEL: 'error', DATABASE_URL: t.databaseUrl, MONGO_URL: mongoConnectionUrl,
    MONGO_DB: t.mongoDb, KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: t.prefix ?? '',
  };
}

/** Starts `orderflow <args>` as a child process. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [ORDERFLOW_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `orderflow <args>` to completion. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`orderflow ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
