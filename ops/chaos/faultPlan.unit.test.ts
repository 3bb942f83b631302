import { describe, expect, it } from 'vitest';
import { faultName, planFaults, planRounds } from './faultPlan.ts';

describe('planFaults', () => {
  it('full: SIGKILL of each role and of the active relay, SIGTERM of each role, then Postgres, Kafka 15 s, FerretDB 15 s', () => {
    const names = planFaults(false).map(faultName);
    expect(names).toEqual([
      'SIGKILL serve', 'SIGKILL relay', 'SIGKILL project', 'SIGKILL saga', 'SIGKILL notify', 'SIGKILL active relay',
      'SIGTERM serve', 'SIGTERM relay', 'SIGTERM project', 'SIGTERM saga', 'SIGTERM notify',
      'postgres fast restart', 'kafka SIGKILL 15 s', 'ferretdb SIGKILL 15 s',
    ]);
  });

  it('quick: a SIGKILL of every role (the relay as the active one), SIGTERM of the projector, Postgres, Kafka 5 s', () => {
    expect(planFaults(true).map(faultName)).toEqual([
      'SIGKILL serve', 'SIGKILL project', 'SIGKILL saga', 'SIGKILL notify', 'SIGKILL active relay',
      'SIGTERM project', 'postgres fast restart', 'kafka SIGKILL 5 s',
    ]);
  });

  it('rounds: the same sequence repeated, and a non-positive count refused', () => {
    const one = planFaults(false).map(faultName);
    expect(planRounds(false, 3).map(faultName)).toEqual([...one, ...one, ...one]);
    expect(planRounds(true, 1).map(faultName)).toEqual(planFaults(true).map(faultName));
    expect(() => planRounds(false, 0)).toThrow(RangeError);
    expect(() => planRounds(false, 1.5)).toThrow(RangeError);
  });
});
