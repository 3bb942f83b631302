import type { Load } from './load.ts';
import { enginePid, restartEngine, restartPostgres, type PrivateStack } from './privateStack.ts';
import { faultName, type Fault } from './faultPlan.ts';
import { measureResume, type ResumeProbe, type ResumeTimes } from './resume.ts';
import type { RoleName, TopologyProcess } from './topologyProcess.ts';

/** What one injected fault did and how long work took to resume. */
export interface FaultResult {
  fault: string;
  /** The process hit (`relay-2`), or the engine. */
  target: string;
  /** The role of the process hit; none for an engine fault. */
  role?: RoleName;
  injectedAt: string;
  /** From the kill (roles) or from the engine's return (engines). */
  resume: ResumeTimes;
  /** Engines: how long they were down (kill → answering again). */
  downMs?: number;
  /** SIGTERM: the exit code the supervisor saw (0 = drained cleanly). */
  exitCode?: number | null;
  /** The supervisor restarted the process (roles). */
  restarted?: boolean;
  error?: string;
}

/** Everything a fault needs to act and to measure. */
export interface FaultContext {
  topology: TopologyProcess;
  stack: PrivateStack;
  load: Load;
  probe: ResumeProbe;
  partitions: number;
  /** Bound of one resume measurement. */
  boundMs: number;
  /** Which relay is active (its `orderflow_relay_active` gauge is 1), by process name. */
  activeRelay(): Promise<string | undefined>;
  random: () => number;
  log(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pickProcess(ctx: FaultContext, role: RoleName, target: 'random' | 'active'): Promise<[string, number]> {
  if (target === 'active') {
    const name = await ctx.activeRelay();
    const pid = name ? ctx.topology.pids().get(name) : undefined;
    if (name && pid) return [name, pid];
    throw new Error('no active relay found on /metrics');
  }
  const live = [...ctx.topology.pids()].filter(([name]) => name.startsWith(`${role}-`));
  const chosen = live[Math.floor(ctx.random() * live.length)];
  if (!chosen) throw new Error(`no live ${role} process`);
  return chosen;
}

async function waitExit(ctx: FaultContext, pid: number, timeoutMs: number): Promise<number | null | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = ctx.topology.exits.find((e) => e.pid === pid);
    if (exit) return exit.code;
    await sleep(50);
  }
  return undefined;
}

/**
 * The same probes with no fault, measured from when they are sent: how long one order takes to be
 * projected, stepped and mailed on this box right now, the yardstick for each fault's resume.
 */
export async function measureBaseline(ctx: FaultContext): Promise<ResumeTimes> {
  const since = Date.now();
  const customer = `probe${since % 100_000}`;
  return measureResume(ctx.probe, customer, await ctx.load.probes(ctx.partitions, customer), since, ctx.boundMs);
}

/** Kills or stops a role process, or an engine; then places probes and measures the resume. */
export async function injectFault(ctx: FaultContext, fault: Fault): Promise<FaultResult> {
  const name = faultName(fault);
  const injectedAt = Date.now();
  const base = { fault: name, injectedAt: new Date(injectedAt).toISOString(), ...(fault.kind === 'sigkill' || fault.kind === 'sigterm' ? { role: fault.role } : {}) };
  const probeCustomer = `probe${injectedAt % 100_000}`;
  const measure = async (since: number) => measureResume(ctx.probe, probeCustomer, await ctx.load.probes(ctx.partitions, probeCustomer), since, ctx.boundMs);
  try {
    if (fault.kind === 'sigkill' || fault.kind === 'sigterm') {
      const [proc, pid] = await pickProcess(ctx, fault.role, fault.kind === 'sigkill' ? fault.target : 'random');
      process.kill(pid, fault.kind === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
      const since = Date.now();
      ctx.log(`${name}: ${proc} (pid ${pid})`);
      const resume = await measure(since);
      const exitCode = await waitExit(ctx, pid, 30_000);
      const restarted = await ctx.topology.restarted(proc, pid, 60_000).then(() => true, () => false);
      return { ...base, target: proc, resume, restarted, ...(fault.kind === 'sigterm' ? { exitCode: exitCode ?? null } : {}) };
    }
    if (fault.kind === 'postgres-restart') {
      ctx.log(`${name}`);
      await restartPostgres(ctx.stack);
      const back = Date.now();
      return { ...base, target: 'postgres', downMs: back - injectedAt, resume: await measure(back) };
    }
    const pid = enginePid(ctx.stack, fault.engine);
    if (pid === undefined) throw new Error(`${fault.engine} is not running`);
    process.kill(pid, 'SIGKILL');
    ctx.log(`${name}: pid ${pid}`);
    await sleep(fault.downMs);
    await restartEngine(ctx.stack, fault.engine);
    const back = Date.now();
    return { ...base, target: fault.engine, downMs: back - injectedAt, resume: await measure(back) };
  } catch (err) {
    const empty: ResumeTimes = { probes: 0, probesAckedMs: 0, firstProjectedMs: null, allProjectedMs: null, firstSagaStepMs: null, allSagaStepMs: null, firstMailMs: null, allMailMs: null };
    return { ...base, target: '?', resume: empty, error: err instanceof Error ? err.message : String(err) };
  }
}
