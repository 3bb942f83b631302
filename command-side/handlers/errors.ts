/**
 * Another writer moved the stream between our read and our append, and bounded retries did not
 * get through (or the caller pinned an expected version). Maps to GraphQL `CONFLICT`.
 */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  readonly code = 'CONFLICT';
  readonly retriable = true;
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super(`stream ${streamId} is at version ${actual ?? 0}, expected ${expected}`);
  }
}

/** An idempotency key came back with a different request. Maps to GraphQL `BAD_USER_INPUT`. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'BAD_USER_INPUT';
  readonly retriable = false;
  constructor(readonly key: string) {
    super('idempotencyKey was already used for a different request');
  }
}
