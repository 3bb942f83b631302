import { AppError } from '../../contracts/index.ts';

/**
 * Another writer moved the stream between our read and our append, and bounded retries did not
 * get through (or the caller pinned an expected version). Maps to GraphQL `CONFLICT`.
 */
export class ConcurrencyError extends AppError<'CONFLICT'> {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super('CONFLICT', `stream ${streamId} is at version ${actual ?? 0}, expected ${expected}`, true);
  }
}

/** An idempotency key came back with a different request. Maps to GraphQL `BAD_USER_INPUT`. */
export class IdempotencyKeyReusedError extends AppError<'BAD_USER_INPUT'> {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(readonly key: string) {
    super('BAD_USER_INPUT', 'idempotencyKey was already used for a different request', false);
  }
}

/**
 * A stream the command was decided from (a catalogue price) moved before the append: nothing was
 * written. The caller refreshes what it read from those streams and tries again. Maps to `CONFLICT`.
 */
export class StaleGuardError extends Error {
  override readonly name = 'StaleGuardError';
  readonly code = 'CONFLICT';
  readonly retriable = true;
  constructor(readonly streams: readonly string[]) {
    super(`streams changed while the command was decided: ${streams.join(', ')}`);
  }
}
