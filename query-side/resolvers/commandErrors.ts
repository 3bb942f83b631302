import { GraphQLError } from 'graphql';
import { DomainError, ConcurrencyError, IdempotencyKeyReusedError, InputValidationError, StaleGuardError } from '../../command-side/index.ts';
import { appError, badUserInput, conflict, ErrorCode } from '../errors.ts';

/** Maps command-side failures to typed GraphQL errors; anything else stays an internal error. */
export function toGraphQLError(err: unknown): unknown {
  if (err instanceof GraphQLError) return err;
  if (err instanceof InputValidationError) {
    return badUserInput('invalid input', err.issues.map((i) => ({ path: ['input', ...i.path], message: i.message })));
  }
  if (err instanceof DomainError) {
    if (err.code === 'BAD_USER_INPUT') return badUserInput(err.message, err.path ? [{ path: ['input', ...err.path], message: err.message }] : []);
    return appError(ErrorCode[err.code], err.message);
  }
  if (err instanceof ConcurrencyError) return conflict(err.message, { streamId: err.streamId });
  if (err instanceof StaleGuardError) return conflict(err.message, { streams: err.streams.join(',') });
  if (err instanceof IdempotencyKeyReusedError) return badUserInput(err.message, [{ path: ['idempotencyKey'], message: err.message }]);
  return err;
}
