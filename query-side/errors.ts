import { GraphQLError, type ASTNode } from 'graphql';

/**
 * Every `extensions.code` the API itself raises. Apollo's own request-level codes
 * (`GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `BAD_REQUEST`, …) pass through unchanged.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  STALE_READ_TIMEOUT: 'STALE_READ_TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A store the operation needs did not answer (down, timed out): retry later, nothing was decided. */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The default of `extensions.retriable` per code, used only when the error itself does not say
 * (an error's own `retriable` always wins: a domain CONFLICT is not retriable, a lost
 * optimistic-concurrency race is).
 */
export const retriable: Readonly<Record<ErrorCode, boolean>> = {
  BAD_USER_INPUT: false,
  NOT_FOUND: false,
  CONFLICT: false,
  FORBIDDEN: false,
  UNAUTHENTICATED: false,
  STALE_READ_TIMEOUT: true,
  RATE_LIMITED: true,
  QUERY_TOO_COMPLEX: false,
  PAYLOAD_TOO_LARGE: false,
  UNAVAILABLE: true,
  INTERNAL_SERVER_ERROR: true,
};

const codes = new Set<string>(Object.values(ErrorCode));

/** True when `code` is one of {@link ErrorCode}. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && codes.has(code);
}

/** One invalid input field: `path` into the input (e.g. `['input', 'lines', '0', 'quantity']`). */
export interface FieldError {
  path: string[];
  message: string;
}

/** Options of the helpers. `httpStatus` is only for errors raised before execution (auth, limits). */
export interface AppErrorOptions {
  httpStatus?: number;
  /** Response headers to add with `httpStatus` (e.g. `retry-after`). */
  httpHeaders?: Record<string, string>;
  originalError?: Error;
  /** Document nodes the error points at (gives `locations`). */
  nodes?: readonly ASTNode[];
  /** Whether retrying unchanged may succeed; defaults to the code's {@link retriable} entry. */
  retriable?: boolean;
}

/** A `GraphQLError` with `extensions: { code, retriable, ...details }`. */
export function appError(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options: AppErrorOptions = {}): GraphQLError {
  return new GraphQLError(message, {
    ...(options.originalError && { originalError: options.originalError }),
    ...(options.nodes && { nodes: options.nodes }),
    extensions: {
      ...details,
      code,
      retriable: options.retriable ?? retriable[code],
      // Apollo reads `http` (status and a Map of headers) and never sends it to the client.
      ...(options.httpStatus !== undefined && {
        http: { status: options.httpStatus, ...(options.httpHeaders && { headers: new Map(Object.entries(options.httpHeaders)) }) },
      }),
    },
  });
}

/** The input is invalid; `fieldErrors` says where and why. Nothing was written. */
export function badUserInput(message: string, fieldErrors: FieldError[] = []): GraphQLError {
  return appError(ErrorCode.BAD_USER_INPUT, message, { fieldErrors });
}

/** The named thing does not exist (or the principal may not know it exists). */
export function notFound(kind: string, id: string): GraphQLError {
  return appError(ErrorCode.NOT_FOUND, `${kind} ${id} not found`, { kind, id });
}

/**
 * The request conflicts with the current state: a wrong status (not retriable, the default) or a
 * lost concurrent write (`retriable: true`).
 */
export function conflict(message: string, details: Record<string, unknown> = {}, options: AppErrorOptions = {}): GraphQLError {
  return appError(ErrorCode.CONFLICT, message, details, options);
}

/** A store did not answer in time; the cause is logged, never sent. Retriable. */
export function unavailable(originalError?: Error): GraphQLError {
  return appError(ErrorCode.UNAVAILABLE, 'a backing store is unavailable; retry later', {}, originalError ? { originalError } : {});
}

/** The principal is known but may not do this. */
export function forbidden(message = 'forbidden'): GraphQLError {
  return appError(ErrorCode.FORBIDDEN, message);
}

/** No valid credentials; `httpStatus` 401 when raised before execution. */
export function unauthenticated(message = 'authentication required', options: AppErrorOptions = {}): GraphQLError {
  return appError(ErrorCode.UNAUTHENTICATED, message, {}, options);
}

/** A `consistentWith` wait passed its bound before the views caught up. */
export function staleReadTimeout(details: { timeoutMs: number; [key: string]: unknown }): GraphQLError {
  return appError(ErrorCode.STALE_READ_TIMEOUT, `views did not catch up within ${details.timeoutMs} ms`, details);
}

/** The principal spent its request budget; retry after `retryAfterSeconds`. */
export function rateLimited(retryAfterSeconds: number, options: AppErrorOptions = {}): GraphQLError {
  return appError(ErrorCode.RATE_LIMITED, 'rate limit exceeded', { retryAfterSeconds }, options);
}

/** The operation is too deep, too costly or uses too many aliases. */
export function queryTooComplex(message: string, details: { limit: number; actual: number; [key: string]: unknown }, options: AppErrorOptions = {}): GraphQLError {
  return appError(ErrorCode.QUERY_TOO_COMPLEX, message, details, options);
}
