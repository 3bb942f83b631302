import { describe, expect, it } from 'vitest';
import { faultName, planFaults } from './faultPlan.ts';

describe('planFaults', () => {
  it('full: SIGKILL of each role and of the active relay, SIGTERM of each role, then Postgres, Kafka 15 s, FerretDB 15 s', () => {
    const names = planFaults(false).map(faultName);
    expect(names).toEqual([
      'SIGKILL serve', 'SIGKILL relay', 'SIGKILL project', 'SIGKILL saga', 'SIGKILL notify', 'SIGKILL active relay',
      'SIGTERM serve', 'SIGTERM relay', 'SIGTERM project', 'SIGTERM saga', 'SIGTERM notify',
      'postgres fast restart', 'kafka SIGKILL 15 s', 'ferretdb SIGKILL 15 s',
    ]);
  });

  it('quick: every SIGKILL, one SIGTERM, engines down 5 s', () => {
    const names = planFaults(true).map(faultName);
    expect(names.filter((n) => n.startsWith('SIGKILL'))).toHaveLength(6);
    expect(names.filter((n) => n.startsWith('SIGTERM'))).toEqual(['SIGTERM project']);
    expect(names.slice(-2)).toEqual(['kafka SIGKILL 5 s', 'ferretdb SIGKILL 5 s']);
  });
});
