import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig } from '../../stack/config.ts';

/** CPU seconds (user + system) burnt per component of the stack during a scenario. */
export type CpuSplit = Record<'bench' | 'postgres' | 'kafka' | 'ferretdb' | 'otherOnBox', number>;

const TICKS = 100; // USER_HZ on Linux

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  cmdline: string;
}

function readProcs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      // Fields after the ")" that closes the command name: state ppid … utime(14) stime(15).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(join('/proc', name, 'cmdline'), 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]), cmdline });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function postmasterPid(): number | undefined {
  try {
    return Number(readFileSync(join(loadStackConfig().postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** Which component a process belongs to (this stack's services, this bench and its children, or anything else). */
function classify(p: Proc, self: number, postmaster: number | undefined, mongoPort: number, stackDir: string, byPid: Map<number, Proc>): keyof CpuSplit {
  for (let q: Proc | undefined = p, hops = 0; q && hops < 6; q = byPid.get(q.ppid), hops++) if (q.pid === self) return 'bench';
  if (postmaster !== undefined && (p.pid === postmaster || p.ppid === postmaster)) return 'postgres';
  if (p.cmdline.includes('kafka.Kafka') && p.cmdline.includes(stackDir)) return 'kafka';
  if (p.cmdline.includes('ferretdb') && p.cmdline.includes(`-listen 127.0.0.1:${mongoPort}`)) return 'ferretdb';
  return 'otherOnBox';
}

/** Busy ticks of the whole box (all cores) from /proc/stat. */
function boxBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return user + nice + system + irq + softirq + steal;
}

/** A snapshot of CPU ticks per component, plus the whole box's busy ticks. */
export interface CpuSnapshot {
  split: CpuSplit;
  box: number;
}

/** Takes a snapshot (reads /proc; ~10 ms). */
export function cpuSnapshot(): CpuSnapshot {
  const cfg = loadStackConfig();
  const procs = readProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const postmaster = postmasterPid();
  const split: CpuSplit = { bench: 0, postgres: 0, kafka: 0, ferretdb: 0, otherOnBox: 0 };
  for (const p of procs) split[classify(p, process.pid, postmaster, cfg.ferretdb.port, cfg.dir, byPid)] += p.ticks;
  return { split, box: boxBusyTicks() };
}

/**
 * CPU seconds per component between two snapshots. A service's processes that ended in between
 * (Postgres backends of closed pools, the bench's children) lose their ticks, so the components are
 * lower bounds; `otherOnBox` is the box's busy time minus the four components (other sessions' work,
 * plus whatever the components lost).
 */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const d = (k: keyof CpuSplit) => Math.max(0, (after.split[k] - before.split[k]) / TICKS);
  const ours = { bench: d('bench'), postgres: d('postgres'), kafka: d('kafka'), ferretdb: d('ferretdb') };
  const box = (after.box - before.box) / TICKS;
  const r = (v: number) => Number(v.toFixed(1));
  return { bench: r(ours.bench), postgres: r(ours.postgres), kafka: r(ours.kafka), ferretdb: r(ours.ferretdb), otherOnBox: r(Math.max(0, box - ours.bench - ours.postgres - ours.kafka - ours.ferretdb)) };
}

/** CPU seconds (user + system) one process has burnt so far (undefined once it is gone). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS;
  } catch {
    return undefined;
  }
}
