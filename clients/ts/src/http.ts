import { OrderflowError, fromGraphQLErrors, networkError, type GraphQLErrorPayload } from './errors.ts';
import type { FetchLike } from './transport.ts';

/**
 * One GraphQL request over HTTP POST. Resolves with `data`; throws an {@link OrderflowError} built
 * from the response's errors (with the server's `retriable`), or a retriable `NETWORK_ERROR` when no
 * GraphQL answer came back.
 */
export async function postGraphQL(
  fetchFn: FetchLike,
  url: string,
  body: { query: string; variables: Record<string, unknown> },
  opts: { authorization: string | undefined; consistentWith: string | undefined; signal?: AbortSignal },
): Promise<unknown> {
  let status: number;
  let text: string;
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(opts.authorization && { authorization: opts.authorization }) },
      body: JSON.stringify(body),
      ...(opts.signal && { signal: opts.signal }),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (opts.signal?.aborted) throw new OrderflowError('request aborted', 'ABORTED', false, [], { cause: err });
    throw networkError(err);
  }
  let parsed: { data?: unknown; errors?: GraphQLErrorPayload[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // A proxy's 502/503 page while the API restarts is worth retrying; anything else is not ours to guess.
    if (status >= 500) throw networkError(new Error(`HTTP ${status}`));
    throw new OrderflowError(`HTTP ${status}: not a GraphQL response`, 'BAD_RESPONSE', false);
  }
  if (parsed.errors?.length) throw fromGraphQLErrors(parsed.errors, opts.consistentWith);
  if (parsed.data === undefined || parsed.data === null) throw new OrderflowError(`HTTP ${status}: response without data`, 'BAD_RESPONSE', false);
  return parsed.data;
}
