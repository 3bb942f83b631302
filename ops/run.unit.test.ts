import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.ts';
import { reportFatal } from '../platform/fatal.ts';
import type { Role } from './roles/index.ts';
import { runRoles } from './run.ts';

const deps = { config: loadConfig({ ORDERFLOW_ENV: 'test' }), logger: pino({ level: 'silent' }) };

function role(name: string, log: string[], onStart: () => void = () => undefined): Role {
  return {
    name,
    description: name,
    async start() {
      log.push(`start ${name}`);
      onStart();
      return { stop: async () => void log.push(`stop ${name}`) };
    },
  };
}

describe('runRoles', () => {
  it('a part that gives up for good (reportFatal) stops every role in reverse order and exits 1', async () => {
    const log: string[] = [];
    const code = runRoles([role('a', log), role('b', log, () => setTimeout(() => reportFatal({ source: 'test consumer', err: new Error('cannot rejoin') }), 10))], deps, { signals: ['SIGUSR2'] });
    expect(await code).toBe(1);
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a signal stops every role in reverse order and exits 0', async () => {
    const log: string[] = [];
    const code = runRoles([role('a', log), role('b', log, () => setTimeout(() => process.kill(process.pid, 'SIGUSR2'), 10))], deps, { signals: ['SIGUSR2'] });
    expect(await code).toBe(0);
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a stop past the deadline exits 1', async () => {
    const slow: Role = { name: 'slow', description: 'slow', start: async () => ({ stop: () => new Promise<void>((r) => setTimeout(r, 500)) }) };
    setTimeout(() => reportFatal({ source: 'x', err: new Error('x') }), 10);
    expect(await runRoles([slow], deps, { signals: ['SIGUSR2'], shutdownTimeoutMs: 50 })).toBe(1);
  });

  it('reportFatal says nobody owns the process when no runner listens', () => {
    expect(reportFatal({ source: 'in a test', err: new Error('x') })).toBe(false);
  });
});
