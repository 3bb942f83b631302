import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { FleetReply, type FleetCommand } from './wsFleetProtocol.ts';

type Reply<T extends FleetReply['type']> = Extract<FleetReply, { type: T }>;

/** Deliveries recorded by the fleet: change key, receiving client and arrival time, per message. */
export type Deliveries = Reply<'deliveries'>;

/** A child process holding many WebSocket clients (see `wsClients.child.ts`). */
export interface WsFleet {
  /** The child's pid (to check it is gone after `close`). */
  pid: number;
  open(cmd: Omit<Extract<FleetCommand, { cmd: 'open' }>, 'cmd'>): Promise<Reply<'opened'>>;
  status(): Promise<Reply<'status'>>;
  /** Every delivery recorded since the last collect (and clears them in the child). */
  collect(): Promise<Reply<'deliveries'>>;
  close(): Promise<void>;
}

/**
 * Forks the fleet. The child inherits this process's exec arguments (tsx's loader), minus
 * `--cpu-prof*` so a profiled bench profiles only the server side.
 */
export async function startFleet(): Promise<WsFleet> {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof'));
  const child: ChildProcess = fork(resolve(import.meta.dirname, 'wsClients.child.ts'), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: { type: FleetReply['type']; resolve: (r: FleetReply) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  child.on('message', (raw: unknown) => {
    const msg = FleetReply.parse(raw);
    const i = waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(msg);
  });
  child.on('exit', (code) => {
    exited = new Error(`ws client fleet exited (${code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  function expect<T extends FleetReply['type']>(type: T, send?: FleetCommand): Promise<Reply<T>> {
    if (exited) return Promise.reject(exited);
    const p = new Promise<Reply<T>>((resolve, reject) => waiting.push({ type, resolve: (r) => resolve(r as Reply<T>), reject }));
    if (send) child.send(send);
    return p;
  }
  await expect('ready');
  return {
    pid: child.pid ?? -1,
    open: (cmd) => expect('opened', { cmd: 'open', ...cmd }),
    status: () => expect('status', { cmd: 'status' }),
    collect: () => expect('deliveries', { cmd: 'collect' }),
    async close() {
      if (exited) return;
      const done = expect('closed', { cmd: 'close' }).catch(() => undefined);
      const timer = setTimeout(() => child.kill(), 20_000);
      await done;
      clearTimeout(timer);
    },
  };
}
