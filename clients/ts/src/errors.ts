/** One error of a GraphQL response, as the server formats it. */
export interface GraphQLErrorPayload {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; retriable?: boolean; [key: string]: unknown };
}

/**
 * An operation failed. `code` is the server's `extensions.code` of the first error (or
 * `NETWORK_ERROR` / `BAD_RESPONSE` when no GraphQL answer arrived); `retriable` is what the server
 * said about the error itself (`extensions.retriable`), never guessed from the code.
 */
export class OrderflowError extends Error {
  override readonly name: string = 'OrderflowError';
  /** @param errors every GraphQL error of the response (empty for network failures). */
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
    readonly errors: readonly GraphQLErrorPayload[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The views did not catch up with `token` within the server's bound (`STALE_READ_TIMEOUT`). The
 * write happened; the read can be tried again, or made without `consistentWith`.
 */
export class StaleReadError extends OrderflowError {
  override readonly name = 'StaleReadError';
  constructor(
    message: string,
    /** The consistency token the read waited for. */
    readonly token: string,
    errors: readonly GraphQLErrorPayload[],
  ) {
    super(message, 'STALE_READ_TIMEOUT', true, errors);
  }
}

/** The request never got a GraphQL answer (connection refused, reset, 5xx without a body…). Retriable. */
export function networkError(cause: unknown): OrderflowError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new OrderflowError(`network error: ${detail}`, 'NETWORK_ERROR', true, [], { cause });
}

/** Turns the `errors` of a response into one typed error; `token` is the consistentWith that was sent. */
export function fromGraphQLErrors(errors: readonly GraphQLErrorPayload[], token: string | undefined): OrderflowError {
  const first = errors[0];
  const code = first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  const message = first?.message ?? 'unknown error';
  if (code === 'STALE_READ_TIMEOUT' && token !== undefined) return new StaleReadError(message, token, errors);
  return new OrderflowError(message, code, errors.every((e) => e.extensions?.retriable === true), errors);
}
