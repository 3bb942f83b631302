import { describe, expect, it } from 'vitest';
import type { FaultResult } from './faults.ts';
import { engineResumeCheck, faultLine, ownWorkMs, roleResumeCheck, RESUME_BOUND_MS } from './report.ts';
import type { ResumeTimes } from './resume.ts';

const times = (ms: number | null, over: Partial<ResumeTimes> = {}): ResumeTimes => ({ probes: 6, probesAckedMs: 50, firstProjectedMs: 100, allProjectedMs: ms, firstSagaStepMs: 100, allSagaStepMs: ms, firstMailMs: 100, allMailMs: ms, ...over });
const fault = (over: Partial<FaultResult>): FaultResult => ({ fault: 'SIGKILL project', target: 'project-2', role: 'project', injectedAt: '2026-01-01T00:00:00.000Z', resume: times(9_000), restarted: true, ...over });
const kafka = (over: Partial<FaultResult>): FaultResult => ({ fault: 'kafka SIGKILL 5 s', target: 'kafka', injectedAt: '2026-01-01T00:00:00.000Z', downMs: 20_000, resume: times(40_000), ...over });

describe('ownWorkMs: the faulted role\'s own work', () => {
  it('is the acknowledgement for serve, projection for relay and project, the saga step for saga, the mail for notify', () => {
    const r = times(null, { probesAckedMs: 1, allProjectedMs: 2, allSagaStepMs: 3, allMailMs: 4 });
    expect((['serve', 'relay', 'project', 'saga', 'notify'] as const).map((role) => ownWorkMs(role, r))).toEqual([1, 2, 2, 3, 4]);
    expect(ownWorkMs('serve', times(1, { probes: 0 }))).toBeNull();
  });
});

describe('roleResumeCheck', () => {
  it('passes when every role\'s own work resumed within the bound and every SIGTERM drained (exit 0); engine faults do not count', () => {
    const slowMailAfterProjectKill = fault({ resume: times(9_000, { allMailMs: RESUME_BOUND_MS + 5_000 }) });
    const r = roleResumeCheck([slowMailAfterProjectKill, fault({ fault: 'SIGTERM saga', target: 'saga-1', role: 'saga', exitCode: 0 }), kafka({ resume: times(null) })]);
    expect(r.passed).toBe(true);
    expect(r.summary).toBe('2 role faults, own work resumed in 9000-9000 ms (slowest SIGKILL project (project-2))');
  });

  it('fails on a slow own resume, a stage that never resumed, an unclean drain, a missing restart, an error or no role fault', () => {
    expect(roleResumeCheck([fault({ resume: times(RESUME_BOUND_MS + 1) })]).passed).toBe(false);
    expect(roleResumeCheck([fault({ role: 'notify', resume: times(1_000, { allMailMs: RESUME_BOUND_MS + 1 }) })]).passed).toBe(false);
    expect(roleResumeCheck([fault({ resume: times(1_000, { allMailMs: null }) })]).passed).toBe(false);
    expect(roleResumeCheck([fault({ exitCode: 1 })]).passed).toBe(false);
    expect(roleResumeCheck([fault({ restarted: false })]).passed).toBe(false);
    expect(roleResumeCheck([fault({ error: 'no live saga process' })]).passed).toBe(false);
    expect(roleResumeCheck([kafka({})]).passed).toBe(false);
  });
});

describe('engineResumeCheck', () => {
  it('passes when every stage resumed after each engine fault, with its downtime in the summary; role faults do not count', () => {
    const r = engineResumeCheck([kafka({}), fault({ resume: times(null) })]);
    expect(r.passed).toBe(true);
    expect(r.summary).toBe('1 engine faults: kafka down 20000 ms, then all in 40000 ms');
  });

  it('fails when a stage did not resume (mail after Kafka) or there was no engine fault', () => {
    const r = engineResumeCheck([kafka({ resume: times(30_000, { allMailMs: null }) })]);
    expect(r.passed).toBe(false);
    expect(r.details).toEqual({ failed: ['kafka SIGKILL 5 s (kafka): allMailMs not within the measurement'] });
    expect(engineResumeCheck([fault({})]).passed).toBe(false);
  });
});

describe('faultLine', () => {
  it('prints one line per fault with the first and last probe times', () => {
    expect(faultLine(fault({}))).toMatch(/SIGKILL project\s+project-2\s+projected 0\.1s\/9\.0s {2}saga 0\.1s\/9\.0s {2}mail 0\.1s\/9\.0s/);
  });
});
