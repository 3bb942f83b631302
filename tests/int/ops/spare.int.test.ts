import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createSparePool, type AssignRoleMessage, type SparePool } from '../../../ops/topology/spare.ts';
import { testLogger } from '../../support/relayHarness.ts';

/**
 * The supervisor's spare, with real processes on both sides of the protocol: a child that runs
 * `awaitAssignedRole` (what `orderflow spare` does) is handed out only once it said it is ready,
 * gets its role and environment, and a new spare follows; stopping the pool stops the one waiting.
 */
const CHILD = `
  import { awaitAssignedRole } from './ops/topology/spare.ts';
  const role = await awaitAssignedRole();
  console.log(JSON.stringify({ role, port: process.env.ORDERFLOW_OPS_PORT }));
  process.exit(0);
`;

function spawnSpare(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

async function waitFor<T>(get: () => T | undefined, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`nothing within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('spare processes', () => {
  const spawned: ChildProcess[] = [];
  let pool: SparePool | undefined;

  afterAll(async () => {
    await pool?.stop();
    for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('hands out a ready spare, which runs the role it is given with its environment; the next spare follows; stop ends the waiting one', async () => {
    pool = createSparePool({ logger: testLogger, delayMs: 200, spawnSpare: () => {
      const c = spawnSpare();
      spawned.push(c);
      return c;
    } });
    const first = await waitFor(() => pool?.take(), 60_000);
    let out = '';
    first.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = once(first, 'exit');
    const assign: AssignRoleMessage = { type: 'orderflow.assign-role', role: 'notify', env: { ORDERFLOW_OPS_PORT: '9999' } };
    first.send(assign);
    expect(await exited).toEqual([0, null]);
    expect(JSON.parse(out.trim())).toEqual({ role: 'notify', port: '9999' });

    // A second spare is started after the take; stopping the pool stops it (it was never handed out).
    const second = await waitFor(() => spawned[1], 30_000);
    await pool.stop();
    expect(second.exitCode !== null || second.signalCode !== null).toBe(true);
    expect(spawned).toHaveLength(2);
  });
});
