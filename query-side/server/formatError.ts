import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type Logger, counter } from '../../platform/index.ts';
import { ErrorCode, isErrorCode, retriable } from '../errors.ts';

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

/** The app error code carried by `error` or by one of its causes (GraphQLError extensions or an Error's `code`). */
function appCodeOf(error: unknown): ErrorCode | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    const code = e instanceof GraphQLError ? e.extensions['code'] : (e as Error & { code?: unknown }).code;
    if (isErrorCode(code)) return code;
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
 * - an error carrying one of {@link ErrorCode} (itself or a cause) keeps it, with `retriable`;
 * - Apollo's request-level codes (parse, validation, bad request, …) are kept;
 * - anything else is logged with its stack and sent as `INTERNAL_SERVER_ERROR`, "internal error".
 * `extensions.http` and `extensions.stacktrace` never reach the client.
 */
export function createFormatError(logger: Logger): FormatError {
  return (formatted, error) => {
    const { http: _http, stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    const appCode = appCodeOf(error);
    if (appCode && appCode !== ErrorCode.INTERNAL_SERVER_ERROR) {
      errorsTotal.inc({ code: appCode });
      return { ...formatted, extensions: { ...extensions, code: appCode, retriable: retriable[appCode] } };
    }
    const code = extensions['code'];
    if (typeof code === 'string' && KEPT_APOLLO_CODES.has(code)) {
      errorsTotal.inc({ code });
      return { ...formatted, extensions };
    }
    errorsTotal.inc({ code: ErrorCode.INTERNAL_SERVER_ERROR });
    logger.error({ err: rootCause(error), path: formatted.path }, 'unexpected error in GraphQL operation');
    return {
      message: 'internal error',
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, retriable: retriable.INTERNAL_SERVER_ERROR },
    };
  };
}
