import { describe, expect, it } from 'vitest';
import type { FaultResult } from './faults.ts';
import { faultLine, resumeCheck, RESUME_BOUND_MS } from './report.ts';
import type { ResumeTimes } from './resume.ts';

const times = (ms: number | null): ResumeTimes => ({ probes: 6, probesAckedMs: 50, firstProjectedMs: 100, allProjectedMs: ms, firstSagaStepMs: 100, allSagaStepMs: ms, firstMailMs: 100, allMailMs: ms });
const fault = (over: Partial<FaultResult>): FaultResult => ({ fault: 'SIGKILL project', target: 'project-2', injectedAt: '2026-01-01T00:00:00.000Z', resume: times(9_000), restarted: true, ...over });

describe('resumeCheck', () => {
  it('passes when every role fault resumed within the bound and every SIGTERM drained (exit 0)', () => {
    const r = resumeCheck([fault({}), fault({ fault: 'SIGTERM saga', exitCode: 0 }), fault({ fault: 'kafka SIGKILL 15 s', downMs: 20_000, resume: times(40_000), restarted: undefined })]);
    expect(r.passed).toBe(true);
    expect(r.summary).toContain('slowest role resume 9000 ms');
  });

  it('fails on a slow role resume, a resume that never came, an unclean drain or a missing restart', () => {
    expect(resumeCheck([fault({ resume: times(RESUME_BOUND_MS + 1) })]).passed).toBe(false);
    expect(resumeCheck([fault({ resume: times(null) })]).passed).toBe(false);
    expect(resumeCheck([fault({ exitCode: 1 })]).passed).toBe(false);
    expect(resumeCheck([fault({ restarted: false })]).passed).toBe(false);
    expect(resumeCheck([fault({ error: 'no live saga process' })]).passed).toBe(false);
    expect(resumeCheck([]).passed).toBe(false);
  });

  it('prints one line per fault with the first and last probe times', () => {
    expect(faultLine(fault({}))).toMatch(/SIGKILL project\s+project-2\s+projected 0\.1s\/9\.0s {2}saga 0\.1s\/9\.0s {2}mail 0\.1s\/9\.0s/);
  });
});
