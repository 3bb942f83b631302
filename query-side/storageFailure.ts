/**
 * Recognises "a store did not answer" failures of the Postgres (`pg`) and MongoDB drivers, so they
 * reach clients as retriable `UNAVAILABLE` rather than as a wrong answer (NOT_FOUND) or an opaque
 * internal error.
 */

/** MongoDB driver errors that mean the server was not reached or did not answer in time. */
const MONGO_UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoOperationTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
]);
/** Socket-level codes from Node. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Postgres SQLSTATEs: statement_timeout, shutdowns, too many connections, lock timeout. */
const PG_UNAVAILABLE = new Set(['57014', '57P01', '57P02', '57P03', '53300', '55P03']);
/** pg-pool and pg client messages for a lost or never-made connection. */
const PG_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Client has encountered a connection error/i, /Query read timeout/i];

function isUnavailableOne(err: Error): boolean {
  if (MONGO_UNAVAILABLE.has(err.name)) return true;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  return PG_MESSAGES.some((m) => m.test(err.message));
}

/**
 * True when `err`, or one of its causes (`cause`, GraphQL `originalError`, AggregateError members),
 * is a store that is down, unreachable or too slow.
 */
export function isStorageUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 20) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    if (isUnavailableOne(e)) return true;
    queue.push(e.cause, (e as Error & { originalError?: unknown }).originalError);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return false;
}
