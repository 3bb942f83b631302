import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { projectRoot } from '../../stack/config.ts';
import { kafkaBrokers } from './isolation.ts';

/** A saga worker process (tests/support/sagaProcess.ts) started by a test. */
export interface ChildSaga {
  readonly pid: number;
  /** Resolves once the worker joined its consumer group. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown, no commit, no leave-group. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
  /** Its last log lines (for failure messages). */
  tail(n?: number): string[];
}

/** Options of {@link spawnSaga}. */
export interface ChildSagaOptions {
  databaseUrl: string;
  topicPrefix: string;
  /** Extra environment (SAGA_TIMEOUT_MS, …). */
  env?: Record<string, string>;
}

/** Starts `node --import tsx tests/support/sagaProcess.ts` with the saga role's settings in its environment. */
export function spawnSaga(opts: ChildSagaOptions): ChildSaga {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'tests/support/sagaProcess.ts'], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ORDERFLOW_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: 'crash-test',
      ORDERFLOW_TOPIC_PREFIX: opts.topicPrefix,
      ORDERFLOW_TOPIC_PARTITIONS: '3',
      PAYMENT_GATEWAY: 'sandbox',
      SAGA_SESSION_TIMEOUT_MS: '6000',
      SAGA_SWEEP_INTERVAL_MS: '250',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let joined = false;
  const waiters: (() => void)[] = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      if (lines.length > 500) lines.shift();
      if (!joined && line.includes('"msg":"saga worker joined"')) {
        joined = true;
        for (const w of waiters.splice(0)) w();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit');
  return {
    pid: child.pid ?? -1,
    ready(timeoutMs = 30_000) {
      if (joined) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`saga process ${child.pid} not ready within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`saga process ${child.pid} exited before joining:\n${lines.slice(-20).join('\n')}`));
        });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    tail: (n = 30) => lines.slice(-n),
  };
}
