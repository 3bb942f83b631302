import { expect } from 'vitest';
import type { Decider } from '../../command-side/domain/aggregate.ts';
import { DomainError, type DomainErrorCode } from '../../command-side/domain/errors.ts';

/**
 * Test support only: given events / when command / then events (or error).
 * @example deciderSpec(orderDecider).given([placed]).when(confirm).then([confirmed])
 */
export function deciderSpec<C, E, S>(decider: Decider<C, E, S>) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState));
          return {
            /** Asserts exactly these events are decided. */
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            /** Asserts a DomainError with this code (and path, when given). */
            thenThrows(code: DomainErrorCode, path?: string[]): void {
              let caught: unknown;
              try {
                run();
              } catch (e) {
                caught = e;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect((caught as DomainError).code).toBe(code);
              if (path) expect((caught as DomainError).path).toEqual(path);
            },
          };
        },
      };
    },
  };
}
