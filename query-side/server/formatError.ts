import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type Logger, counter } from '../../platform/index.ts';
import { ErrorCode, isErrorCode, retriable } from '../errors.ts';
import { tokenLimitError } from '../limits/index.ts';
import { isStorageUnavailable } from '../storageFailure.ts';

/** Apollo's request-level codes, kept as they are (they describe the request, not our internals). */
const KEPT_APOLLO_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

const errorsTotal = counter({ name: 'orderflow_graphql_errors_total', help: 'GraphQL errors sent to clients, by code', labelNames: ['code'] });

/**
 * The app error code carried by `error` or by one of its causes (GraphQLError extensions or an
 * Error's `code`), with the `retriable` flag of the same error when it states one.
 */
function appCodeOf(error: unknown): { code: ErrorCode; retriable?: boolean } | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    const own = e instanceof GraphQLError ? e.extensions : (e as Error & { code?: unknown; retriable?: unknown });
    const code = own['code' as keyof typeof own] as unknown;
    const flag = own['retriable' as keyof typeof own] as unknown;
    if (isErrorCode(code)) return typeof flag === 'boolean' ? { code, retriable: flag } : { code };
    e = e instanceof GraphQLError ? e.originalError : e.cause;
  }
  return undefined;
}

/** The innermost cause, for the log line of an unexpected error. */
function rootCause(error: unknown): unknown {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e instanceof GraphQLError && e.originalError; depth++) e = e.originalError;
  return e;
}

/** A `formatError` for Apollo and graphql-ws. */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Builds the one error formatter of the API:
 * - an error carrying one of {@link ErrorCode} (itself or a cause) keeps it, with its own
 *   `retriable` (the per-code default only when it does not say);
 * - a store that is down or too slow (itself or a cause) is `UNAVAILABLE`, retriable;
 * - a parse stopped at the token limit is `QUERY_TOO_COMPLEX` with `measure: 'tokens'`;
 * - Apollo's request-level codes (parse, validation, bad request, …) are kept;
 * - anything else is logged with its stack and sent as `INTERNAL_SERVER_ERROR`, "internal error".
 * `extensions.http` and `extensions.stacktrace` never reach the client.
 */
export function createFormatError(logger: Logger): FormatError {
  return (formatted, error) => {
    const { http: _http, stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    // graphql-js stops a token flood with a plain syntax error; it is a limit, so say which.
    const tooLong = tokenLimitError(error);
    if (tooLong) {
      errorsTotal.inc({ code: ErrorCode.QUERY_TOO_COMPLEX });
      const { http: _h, ...details } = tooLong.extensions;
      return { message: tooLong.message, ...(formatted.locations && { locations: formatted.locations }), extensions: details };
    }
    const app = appCodeOf(error);
    if (app && app.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      errorsTotal.inc({ code: app.code });
      // The error's own flag wins; the per-code table is only the default for errors that do not say.
      return { ...formatted, extensions: { ...extensions, code: app.code, retriable: app.retriable ?? retriable[app.code] } };
    }
    if (isStorageUnavailable(error)) {
      errorsTotal.inc({ code: ErrorCode.UNAVAILABLE });
      logger.warn({ err: rootCause(error), path: formatted.path }, 'a backing store is unavailable');
      return opaque(formatted, 'a backing store is unavailable; retry later', ErrorCode.UNAVAILABLE);
    }
    const code = extensions['code'];
    if (typeof code === 'string' && KEPT_APOLLO_CODES.has(code)) {
      errorsTotal.inc({ code });
      return { ...formatted, extensions };
    }
    errorsTotal.inc({ code: ErrorCode.INTERNAL_SERVER_ERROR });
    logger.error({ err: rootCause(error), path: formatted.path }, 'unexpected error in GraphQL operation');
    return opaque(formatted, 'internal error', ErrorCode.INTERNAL_SERVER_ERROR);
  };
}

/** A client-facing error that keeps only where it happened: the cause stays in our logs. */
function opaque(formatted: GraphQLFormattedError, message: string, code: ErrorCode): GraphQLFormattedError {
  return {
    message,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions: { code, retriable: retriable[code] },
  };
}
