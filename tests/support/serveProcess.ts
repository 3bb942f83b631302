import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from '../../stack/config.ts';
import { ORDERFLOW_BIN } from './cli.ts';

/** An `orderflow serve` child process started by a test. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** Resolves with the GraphQL URL once it listens, or rejects with its output if it exits first. */
  listening(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code and all output once the process ended. */
  exited(timeoutMs?: number): Promise<{ code: number | null; output: string }>;
  /** Every line it wrote (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The `ENV` variables the Dockerfile sets, read from the Dockerfile itself so the deployment
 * tests follow it when it changes.
 */
export function dockerfileEnv(): Record<string, string> {
  const text = readFileSync(resolve(projectRoot, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    for (const pair of m[1].trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"|"$/g, '');
    }
  }
  return env;
}

/**
 * Starts `node bin/orderflow.mjs <args>` (the Dockerfile's ENTRYPOINT) with exactly `env` plus
 * PATH and HOME: nothing of the test process's environment leaks in.
 */
export function spawnServe(env: Record<string, string>, args: string[] = ['serve']): ServeProcess {
  const child = spawn(process.execPath, [ORDERFLOW_BIN, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const onData = (d: Buffer) => (text += d.toString('utf8'));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const within = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`${what} within ${ms} ms; output:\n${text}`)), ms).unref())]);
  return {
    child,
    output: () => text,
    async listening(timeoutMs = 60_000) {
      const url = new Promise<string>((done, fail) => {
        const check = () => {
          const m = /"url":"(http:\/\/[^"]+)"[^\n]*GraphQL server listening/.exec(text);
          if (m?.[1]) return done(m[1]);
          if (child.exitCode !== null) return fail(new Error(`orderflow exited with ${child.exitCode} before listening:\n${text}`));
          setTimeout(check, 50);
        };
        check();
      });
      return within(url, timeoutMs, 'orderflow did not listen');
    },
    async exited(timeoutMs = 60_000) {
      const code = await within(exit, timeoutMs, 'orderflow did not exit');
      return { code, output: text };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await within(exit, 30_000, 'orderflow did not stop').catch(() => child.kill('SIGKILL'));
    },
  };
}
