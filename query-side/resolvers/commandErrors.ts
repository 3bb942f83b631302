import { GraphQLError } from 'graphql';
import { DomainError, ConcurrencyError, IdempotencyKeyReusedError, InputValidationError, StaleGuardError } from '../../command-side/index.ts';
import { appError, badUserInput, conflict, ErrorCode, unavailable } from '../errors.ts';
import { isStorageUnavailable } from '../storageFailure.ts';

/**
 * Maps command-side failures to typed GraphQL errors, each keeping its own `retriable`; a store
 * that did not answer is UNAVAILABLE; anything else stays an internal error.
 */
export function toGraphQLError(err: unknown): unknown {
  if (err instanceof GraphQLError) return err;
  if (err instanceof InputValidationError) {
    return badUserInput('invalid input', err.issues.map((i) => ({ path: ['input', ...i.path], message: i.message })));
  }
  if (err instanceof DomainError) {
    if (err.code === 'BAD_USER_INPUT') return badUserInput(err.message, err.path ? [{ path: ['input', ...err.path], message: err.message }] : []);
    return appError(ErrorCode[err.code], err.message, {}, { retriable: err.retriable });
  }
  if (err instanceof ConcurrencyError) return conflict(err.message, { streamId: err.streamId }, { retriable: err.retriable });
  // A price changed under the cached one: retrying reads the new price.
  if (err instanceof StaleGuardError) return conflict(err.message, { streams: err.streams.join(',') }, { retriable: true });
  if (err instanceof IdempotencyKeyReusedError) return badUserInput(err.message, [{ path: ['idempotencyKey'], message: err.message }]);
  if (isStorageUnavailable(err)) return unavailable(err instanceof Error ? err : undefined);
  return err;
}
