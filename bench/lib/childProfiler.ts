import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { z } from 'zod';

const Targets = z.array(z.object({ webSocketDebuggerUrl: z.string() }));
const Reply = z.object({ id: z.number(), result: z.unknown().optional(), error: z.object({ message: z.string() }).optional() });

/**
 * The Node flags that let {@link profileChildWindow} profile a child on `port`: none unless
 * `BENCH_PROFILE` is set, so an ordinary run spawns its children exactly as before.
 */
export function childProfileArgs(port: number): string[] {
  return process.env.BENCH_PROFILE ? [`--inspect=127.0.0.1:${port}`] : [];
}

/** Sends DevTools protocol calls over one inspector socket, in order, and resolves each with its result. */
async function inspectorSession(port: number): Promise<{ call(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = Targets.parse(await (await fetch(`http://127.0.0.1:${port}/json/list`)).json());
  const target = targets[0];
  if (!target) throw new Error(`no inspector target on port ${port}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((done, fail) => (ws.once('open', () => done()), ws.once('error', fail)));
  const pending = new Map<number, { done(v: unknown): void; fail(e: Error): void }>();
  ws.on('message', (data: Buffer) => {
    const parsed = Reply.safeParse(JSON.parse(data.toString('utf8')));
    if (!parsed.success) return; // an event, not a reply
    const waiter = pending.get(parsed.data.id);
    pending.delete(parsed.data.id);
    if (parsed.data.error) waiter?.fail(new Error(parsed.data.error.message));
    else waiter?.done(parsed.data.result);
  });
  let next = 0;
  return {
    call: (method, params = {}) => new Promise((done, fail) => {
      const id = ++next;
      pending.set(id, { done, fail });
      ws.send(JSON.stringify({ id, method, params }));
    }),
    close: () => ws.close(),
  };
}

/**
 * With `BENCH_PROFILE=<dir>`, records a V8 CPU profile of the child whose inspector listens on `port`
 * (spawned with {@link childProfileArgs}) for exactly the window `fn`, into `<dir>/<name>.cpuprofile`;
 * otherwise just runs `fn`. Read it with `tsx bench/tools/cpuprofileTop.ts <file>`.
 */
export async function profileChildWindow<T>(port: number, name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const session = await inspectorSession(port);
  try {
    await session.call('Profiler.enable');
    await session.call('Profiler.setSamplingInterval', { interval: 500 });
    await session.call('Profiler.start');
    const result = await fn();
    const { profile } = z.object({ profile: z.unknown() }).parse(await session.call('Profiler.stop'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return result;
  } finally {
    session.close();
  }
}
