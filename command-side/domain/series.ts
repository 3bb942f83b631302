import type { Decider } from './aggregate.ts';

/**
 * The decider of a series of commands on one aggregate: each command is decided against the state
 * the previous ones' events lead to, and all the events are appended at once (one read, one append,
 * one concurrency check). All or nothing: when any command is refused, nothing is appended. Pure.
 */
export function seriesOf<C, E, S>(decider: Decider<C, E, S>): Decider<readonly C[], E, S> {
  return {
    streamId: decider.streamId,
    initialState: decider.initialState,
    evolve: decider.evolve,
    decide(commands, state) {
      const events: E[] = [];
      let s = state;
      for (const c of commands) {
        const decided = decider.decide(c, s);
        for (const e of decided) s = decider.evolve(s, e);
        events.push(...decided);
      }
      return events;
    },
  };
}
