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
