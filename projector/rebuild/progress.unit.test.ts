import { describe, expect, it } from 'vitest';
import { formatProgress, formatSeconds, progressBar, progressNumbers } from './progress.ts';

describe('rebuild progress', () => {
  it('average rate and ETA from the count at start', () => {
    expect(progressNumbers(20_000, 50_000, 0, 2_000)).toEqual({ eventsDone: 20_000, totalEstimate: 50_000, rate: 10_000, etaSeconds: 3 });
  });

  it('a total passed by new events grows to what was done; no rate yet means unknown ETA', () => {
    expect(progressNumbers(60_000, 50_000, 0, 1_000)).toMatchObject({ totalEstimate: 60_000, etaSeconds: 0 });
    expect(progressNumbers(0, 10, 0, 0)).toMatchObject({ rate: 0, etaSeconds: null });
  });

  it('formats for humans', () => {
    expect(formatSeconds(3.2)).toBe('4s');
    expect(formatSeconds(95)).toBe('1m35s');
    expect(formatSeconds(7260)).toBe('2h01m');
    expect(progressBar(1, 4, 8)).toBe('[##......]');
    expect(formatProgress('replaying', { eventsDone: 22_500, totalEstimate: 50_000, rate: 31_200.4, etaSeconds: 0.9 })).toBe(
      'replaying    45.0%  22,500/50,000 events  31,200 ev/s  ETA 1s',
    );
  });
});
