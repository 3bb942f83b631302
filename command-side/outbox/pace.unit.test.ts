import { describe, expect, it } from 'vitest';
import { nextRead } from './pace.ts';

const RECHECK = 5;
const POLL = 500;

describe('relay pacing', () => {
  it('reads on at once after a full batch', () => {
    expect(nextRead({ published: true, full: true, notified: false }, POLL, RECHECK, POLL)).toEqual({ waitMs: 0, idleMs: RECHECK });
  });

  it('reads at once after a partial batch only when a NOTIFY came meanwhile', () => {
    expect(nextRead({ published: true, full: false, notified: true }, POLL, RECHECK, POLL)).toEqual({ waitMs: 0, idleMs: RECHECK });
    expect(nextRead({ published: true, full: false, notified: false }, POLL, RECHECK, POLL)).toEqual({ waitMs: RECHECK, idleMs: RECHECK });
  });

  it('re-checks soon after a NOTIFY that found nothing yet (a commit below the horizon)', () => {
    expect(nextRead({ published: false, full: false, notified: true }, 80, RECHECK, POLL)).toEqual({ waitMs: RECHECK, idleMs: RECHECK });
  });

  it('backs off, doubling up to the polling interval, while nothing comes', () => {
    const waits: number[] = [];
    let idle = RECHECK;
    for (let i = 0; i < 9; i++) {
      const n = nextRead({ published: false, full: false, notified: false }, idle, RECHECK, POLL);
      waits.push(n.waitMs);
      idle = n.idleMs;
    }
    expect(waits).toEqual([10, 20, 40, 80, 160, 320, 500, 500, 500]);
  });
});
