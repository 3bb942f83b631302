import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from '../../stack/config.ts';

/** Role names of the topology. */
export type RoleName = 'serve' | 'relay' | 'project' | 'saga' | 'notify';

/** What the supervisor logged about one process exit. */
export interface ProcessExit {
  process: string;
  pid: number;
  code: number | null;
  signal: string | null;
  at: number;
}

/** `orderflow start --topology` as a child of the chaos run, seen through its supervisor's log lines. */
export interface TopologyProcess {
  /** Current pid of each supervised process, by name (`relay-1`, …). */
  pids(): Map<string, number>;
  /** Every pid any supervised process ever had (for the "nothing left running" check). */
  allPids(): Set<number>;
  exits: ProcessExit[];
  /** Spares the supervisor has loaded and not handed a role yet. */
  readySpares(): number;
  /** Waits for a process named `name` to be started with another pid than `previous`. */
  restarted(name: string, previous: number, timeoutMs: number): Promise<number>;
  /** SIGTERM to the supervisor, which drains every process; resolves with its exit code. */
  stop(timeoutMs: number): Promise<number | null>;
  /** Last log lines (for failure messages). */
  tail(n: number): string[];
  /** When each process was first started, and when the topology logged `role bundle built` and `topology started` (epoch ms). */
  milestones(): Record<string, number>;
  readonly pid: number;
}

/** Options of {@link spawnTopology}. */
export interface TopologyOptions {
  env: Record<string, string>;
  servePortBase: number;
  opsPortBase: number;
  shape: string;
  /** Sees every output line of the topology (its own and its children's logs). */
  onLine?: (line: string) => void;
  /** Every line the topology and its processes print is appended here. */
  logFile?: string;
}

interface SupervisorLine {
  msg?: string;
  process?: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  component?: string;
}

/** Starts the topology with `--no-stack` (the chaos run owns the private stack). */
export function spawnTopology(opts: TopologyOptions): TopologyProcess {
  const child = spawn(process.execPath, [resolve(projectRoot, 'bin/orderflow.mjs'), 'start', '--topology', '--no-stack', '--shape', opts.shape,
    '--serve-port-base', String(opts.servePortBase), '--ops-port-base', String(opts.opsPortBase)], {
    cwd: projectRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const current = new Map<string, number>();
  const all = new Set<number>();
  const exits: ProcessExit[] = [];
  const spares = new Set<number>(); // ready, not taken
  const lines: string[] = [];
  let buffered = '';
  const milestones: Record<string, number> = {};
  const logStream = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const onLine = (line: string) => {
    opts.onLine?.(line);
    logStream?.write(`${line}\n`);
    lines.push(line);
    if (lines.length > 500) lines.shift();
    for (const msg of ['role bundle built', 'topology started']) if (line.includes(`"msg":"${msg}"`)) milestones[msg] ??= Date.now();
    if (!line.includes('"component":"supervisor"')) return;
    let parsed: SupervisorLine;
    try {
      parsed = JSON.parse(line) as SupervisorLine;
    } catch {
      return;
    }
    if (parsed.msg === 'spare started' && parsed.pid !== undefined) all.add(parsed.pid); // it must be gone at the end too
    if (parsed.msg === 'spare ready' && parsed.pid !== undefined) spares.add(parsed.pid);
    if (parsed.msg === 'spare exited' && parsed.pid !== undefined) spares.delete(parsed.pid);
    if (!parsed.process || parsed.pid === undefined) return;
    if (parsed.msg === 'process started') {
      spares.delete(parsed.pid);
      milestones[`${parsed.process} started`] ??= Date.now();
      current.set(parsed.process, parsed.pid);
      all.add(parsed.pid);
    } else if (parsed.msg?.startsWith('process exited')) {
      exits.push({ process: parsed.process, pid: parsed.pid, code: parsed.code ?? null, signal: parsed.signal ?? null, at: Date.now() });
      if (current.get(parsed.process) === parsed.pid) current.delete(parsed.process);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let gone = false;
  void exited.then(() => {
    gone = true;
    logStream?.end();
  });
  if (child.pid === undefined) throw new Error('orderflow start --topology did not start');
  return {
    pid: child.pid,
    pids: () => new Map(current),
    allPids: () => new Set(all),
    readySpares: () => spares.size,
    exits,
    async restarted(name, previous, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pid = current.get(name);
        if (pid !== undefined && pid !== previous) return pid;
        if (gone) throw new Error('the topology exited');
        if (Date.now() > deadline) throw new Error(`${name} was not restarted within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(timeoutMs) {
      if (!gone) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        child.kill('SIGKILL');
        await exited;
        return null;
      }
      return outcome[0];
    },
    tail: (n) => lines.slice(-n),
    milestones: () => ({ ...milestones }),
  };
}

/** True when a pid is alive (and not a zombie). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readStat(pid);
    return !stat.startsWith('Z');
  } catch {
    return true;
  }
}

function readStat(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2);
}

/** CPU time (user + system, ms) a live process has used so far, from /proc; undefined when it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const fields = readStat(pid).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
