import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { projectRoot } from '../../stack/config.ts';

/** The API (`orderflow serve`) as a child process a test can SIGKILL and start again on the same port. */
export interface ApiProcess {
  readonly url: string;
  /** Starts the process (again) and resolves once `/readyz` answers 200. */
  start(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown, sockets just drop. Resolves once it is gone. */
  kill(): Promise<void>;
  /** Its last output lines (for failure messages). */
  tail(): string;
}

/** A TCP port that was free a moment ago on loopback. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Prepares `node --import tsx ops/cli.ts serve` with `env` (a TestApp's) on a fixed loopback port. */
export async function apiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const lines: string[] = [];
  return {
    url,
    async start(timeoutMs = 60_000) {
      child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'serve'], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, ORDERFLOW_HTTP_HOST: '127.0.0.1', ORDERFLOW_HTTP_PORT: String(port), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).slice(-50));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}: ${lines.slice(-10).join('\n')}`);
        const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`the API was not ready within ${timeoutMs} ms: ${lines.slice(-10).join('\n')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    },
    tail: () => lines.slice(-20).join('\n'),
  };
}
