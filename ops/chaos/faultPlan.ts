import type { RoleName } from './topologyProcess.ts';

/** One fault the chaos run injects. */
export type Fault =
  | { kind: 'sigkill'; role: RoleName; target: 'random' | 'active' }
  | { kind: 'sigterm'; role: RoleName }
  | { kind: 'postgres-restart' }
  | { kind: 'engine-kill'; engine: 'kafka' | 'ferretdb'; downMs: number };

/** Short name of a fault for the report (`sigkill serve`, `kafka SIGKILL 15 s`, …). */
export function faultName(f: Fault): string {
  switch (f.kind) {
    case 'sigkill':
      return f.target === 'active' ? `SIGKILL active ${f.role}` : `SIGKILL ${f.role}`;
    case 'sigterm':
      return `SIGTERM ${f.role}`;
    case 'postgres-restart':
      return 'postgres fast restart';
    case 'engine-kill':
      return `${f.engine} SIGKILL ${Math.round(f.downMs / 1000)} s`;
  }
}

const ROLES: readonly RoleName[] = ['serve', 'relay', 'project', 'saga', 'notify'];

/**
 * The faults, one after another: SIGKILL of a random process of each role and of the active relay,
 * SIGTERM of each role, a Postgres restart, then Kafka and FerretDB SIGKILLed for `engineDownMs`.
 * Quick (CI, under 5 minutes on the shared box): every role SIGKILLed once, the relay as the active
 * one (the harder case: a standby must take over), SIGTERM of the projector only (the role that holds
 * the most in flight), the Postgres restart and Kafka down 5 s; no FerretDB kill (full run only). Pure.
 */
export function planFaults(quick: boolean, engineDownMs = quick ? 5_000 : 15_000): Fault[] {
  const kills: Fault[] = ROLES.filter((role) => !quick || role !== 'relay').map((role) => ({ kind: 'sigkill', role, target: 'random' }));
  const terms: Fault[] = (quick ? (['project'] as const) : ROLES).map((role) => ({ kind: 'sigterm', role }));
  return [
    ...kills,
    { kind: 'sigkill', role: 'relay', target: 'active' },
    ...terms,
    { kind: 'postgres-restart' },
    { kind: 'engine-kill', engine: 'kafka', downMs: engineDownMs },
    ...(quick ? [] : [{ kind: 'engine-kill', engine: 'ferretdb', downMs: engineDownMs } as const]),
  ];
}

/**
 * `rounds` copies of {@link planFaults}' sequence, one after another: a longer run that hits each
 * fault several times, on a different random process of the role each time (the targets are drawn
 * when each fault is injected), with the load running throughout. Pure.
 */
export function planRounds(quick: boolean, rounds: number): Fault[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  return Array.from({ length: rounds }, () => planFaults(quick)).flat();
}
