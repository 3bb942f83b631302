import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import type { Decider } from './aggregate.ts';
import { seriesOf } from './series.ts';

type Cmd = { type: 'add'; n: number } | { type: 'closeAt'; total: number };
type Ev = { type: 'added'; n: number } | { type: 'closed' };
interface St { total: number; closed: boolean }

const counter: Decider<Cmd, Ev, St> = {
  streamId: (id) => `counter-${id}`,
  initialState: { total: 0, closed: false },
  evolve: (s, e) => (e.type === 'added' ? { ...s, total: s.total + e.n } : { ...s, closed: true }),
  decide(c, s) {
    if (s.closed) throw new DomainError('CONFLICT', 'closed');
    if (c.type === 'add') return [{ type: 'added', n: c.n }];
    return s.total === c.total ? [{ type: 'closed' }] : [];
  },
};

describe('seriesOf', () => {
  it('decides each command against the state the earlier ones lead to', () => {
    const series = seriesOf(counter);
    expect(series.decide([{ type: 'add', n: 2 }, { type: 'add', n: 3 }, { type: 'closeAt', total: 5 }], counter.initialState))
      .toEqual([{ type: 'added', n: 2 }, { type: 'added', n: 3 }, { type: 'closed' }]);
    expect(series.decide([{ type: 'closeAt', total: 5 }, { type: 'add', n: 5 }], counter.initialState)).toEqual([{ type: 'added', n: 5 }]);
  });

  it('refuses the whole series when one command is refused', () => {
    expect(() => seriesOf(counter).decide([{ type: 'add', n: 5 }, { type: 'closeAt', total: 5 }, { type: 'add', n: 1 }], counter.initialState)).toThrow(DomainError);
  });
});
