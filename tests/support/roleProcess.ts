import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { projectRoot } from '../../stack/config.ts';
import { kafkaBrokers, mongoConnectionUrl } from './isolation.ts';

/** A process running one or more `orderflow` roles, started by a test. */
export interface RoleProcess {
  readonly pid: number;
  /** Resolves once `readyLine` was logged (or, without one, once `/readyz` answers 200). */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown, no commit, no leave-group. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then the exit: code, signal and how long the drain took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** GET on the ops listener (`/healthz`, `/readyz`, `/metrics`); needs `opsPort`. */
  ops(path: string): Promise<{ status: number; text: string }>;
  /** True once the process has exited. */
  exited(): boolean;
  /** Its last log lines (for failure messages). */
  tail(n?: number): string[];
  /** The last 2,000 log lines. */
  readonly lines: readonly string[];
  /** Every line that matched `keep`. */
  readonly kept: readonly string[];
}

/** Options of {@link spawnRole}. */
export interface RoleProcessOptions {
  /** `orderflow` arguments, e.g. `['relay']` or `['start', '--topology']`. */
  args: string[];
  /** Node arguments instead of `bin/orderflow.mjs <args>` (a lighter entry that loads one role). */
  node?: string[];
  databaseUrl: string;
  topicPrefix: string;
  /** Serve `/healthz`, `/readyz`, `/metrics` here (ORDERFLOW_OPS_PORT). */
  opsPort?: number;
  /** A log message (the pino `msg`) that means "ready". */
  readyLine?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Lines to keep for the whole run in {@link RoleProcess.kept} (the bounded tail drops old ones). */
  keep?: RegExp;
}

/** A free loopback TCP port. */
export async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function canListen(port: number): Promise<boolean> {
  const srv = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => srv.close(() => resolve()));
  return ok;
}

/**
 * The first of `count` consecutive free loopback ports, below Linux's ephemeral range (32768+):
 * a port picked there with {@link freeTcpPort} plus an offset can be taken meanwhile by any
 * outgoing connection (seen in CI: a topology's ops port, EADDRINUSE, a relay restarting forever).
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_000 - 20_000 - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await canListen(p);
    if (free) return base;
  }
  throw new Error(`no block of ${count} free ports below 32000`);
}

/** Starts `node bin/orderflow.mjs <args>` configured from the environment a test gives it. */
export function spawnRole(opts: RoleProcessOptions): RoleProcess {
  const child: ChildProcess = spawn(process.execPath, opts.node ?? ['bin/orderflow.mjs', ...opts.args], {
    cwd: projectRoot,
    env: {
      // The stack's own settings (ports, folder) as this run has them, so a child that looks a
      // service up (start --topology, readiness) finds the same ones as the test.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^ORDERFLOW_(PG|KAFKA|MONGO|FERRETDB|STACK)_/.test(k))),
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ORDERFLOW_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      MONGO_URL: mongoConnectionUrl,
      KAFKA_CLIENT_ID: 'role-test',
      ORDERFLOW_TOPIC_PREFIX: opts.topicPrefix,
      ORDERFLOW_TOPIC_PARTITIONS: '3',
      ...(opts.opsPort !== undefined && { ORDERFLOW_OPS_PORT: String(opts.opsPort) }),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const kept: string[] = [];
  let sawReadyLine = false;
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      if (lines.length > 2000) lines.shift();
      if (opts.keep?.test(line)) kept.push(line);
      if (opts.readyLine && line.includes(`"msg":"${opts.readyLine}"`)) sawReadyLine = true;
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let gone = false;
  void exit.then(() => (gone = true));
  const ops = async (path: string) => {
    if (opts.opsPort === undefined) throw new Error('spawnRole: no opsPort');
    const res = await fetch(`http://127.0.0.1:${opts.opsPort}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  };
  const isReady = async (): Promise<boolean> => {
    if (opts.readyLine) return sawReadyLine;
    try {
      return (await ops('/readyz')).status === 200;
    } catch {
      return false;
    }
  };
  return {
    pid: child.pid ?? -1,
    lines,
    kept,
    async ready(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await isReady())) {
        if (gone) throw new Error(`orderflow ${opts.args.join(' ')} (pid ${child.pid}) exited before it was ready:\n${lines.slice(-20).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`orderflow ${opts.args.join(' ')} (pid ${child.pid}) not ready within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      const began = Date.now();
      if (!gone) child.kill('SIGTERM');
      const [code, signal] = await exit;
      return { code, signal, ms: Date.now() - began };
    },
    ops,
    exited: () => gone,
    tail: (n = 30) => lines.slice(-n),
  };
}

/** The value of one Prometheus sample (`name{labels}` prefix match), summed over matching lines. */
export function metricSum(text: string, name: string, labelFilter: (labels: string) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line); // Prometheus names may hold digits (…_p99_seconds)
    if (!m || m[1] !== name || !labelFilter(m[2] ?? '')) continue;
    sum += Number(m[3]);
  }
  return sum;
}
