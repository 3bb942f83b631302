import { describe, expect, it } from 'vitest';
import type { ProjectionStatus } from '../../projector/runner/status.ts';
import type { RebuildResult } from '../../projector/rebuild/index.ts';
import { table, type Io } from './cliSupport.ts';
import { formatProjectionList, formatRebuildResult, progressReporter } from './projections.ts';

const status: ProjectionStatus = {
  name: 'order_detail', codeVersion: 2, liveCodeVersion: 1, stale: 'behind', generation: 3, switchedAt: null, partitions: [], lag: 4,
  deadLettersOpen: 1, lastError: null, rebuild: null,
};

describe('CLI formatting', () => {
  it('aligns columns', () => {
    expect(table([['A', 'BB'], ['CCC', 'D']])).toEqual(['A    BB', 'CCC  D']);
  });

  it('projections list flags a stale projection', () => {
    expect(formatProjectionList([status])[1]).toMatch(/^order_detail\s+3\s+2\s+1 \(behind\)\s+4\s+1\s+-$/);
  });

  it('rebuild summary prints throughput and compare differences', () => {
    const r: RebuildResult = {
      projection: 'order_detail', fromGeneration: 1, toGeneration: 2, eventsReplayed: 50_000, eventsAfterSwitch: 3, replayRate: 25_000.4, elapsedMs: 4000, position: '9.9', cleanedUp: [], resumedFrom: null,
      comparison: { projection: 'order_detail', generationA: 1, generationB: 2, equal: false, differences: 1, views: [{
        view: 'order_detail', countA: 10, countB: 10, onlyInA: [], onlyInB: [], different: ['o-7'], onlyInACount: 0, onlyInBCount: 0, differentCount: 1, digestA: 'a', digestB: 'b', samples: [],
      }] },
    };
    const text = formatRebuildResult(r).join('\n');
    expect(text).toContain('generation 1 → 2');
    expect(text).toContain('50,000 events at 25,000 events/s');
    expect(text).toContain('1 document(s) differ');
    expect(text).toContain('different:      o-7');
  });

  it('progress: a bar redrawn on a terminal, throttled lines otherwise', () => {
    const lines: string[] = [];
    const redraws: string[] = [];
    const io = (isTTY: boolean): Io => ({ out: () => undefined, err: (t) => lines.push(t), redraw: (t) => redraws.push(t), isTTY });
    const p = { projection: 'x', owner: 'o', phase: 'replaying' as const, fromGeneration: 1, targetGeneration: 2, position: '1.1', elapsedMs: 1, eventsDone: 5, totalEstimate: 10, rate: 5, etaSeconds: 1 };
    const plain = progressReporter(io(false), 60_000);
    plain.update(p);
    plain.update({ ...p, eventsDone: 6 }); // throttled
    plain.update({ ...p, phase: 'switching' }); // a new phase always prints
    expect(lines).toHaveLength(2);
    const tty = progressReporter(io(true));
    tty.update(p);
    tty.end();
    expect(redraws[0]).toMatch(/^\[#{15}\.{15}\] replaying\s+50\.0%/);
  });
});
