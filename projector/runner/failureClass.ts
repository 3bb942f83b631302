import { MongoError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError, MongoWriteConcernError } from 'mongodb';
import { isTransientInfraError, StopRequested, type FailureKind } from '../../messaging/index.ts';

/**
 * Server error codes that say "the store cannot take this write right now", not "this write is
 * wrong": host unreachable/not found (6, 7), time limits (50, 262), network timeout (89),
 * shutdown and interruptions (91, 11600, 11602), write conflict (112), replica-set failover
 * (189 PrimarySteppedDown, 10107 NotWritablePrimary, 13435/13436 not primary), read preference
 * (133, 134), socket trouble (9001).
 */
export const TRANSIENT_STORE_CODES: ReadonlySet<number> = new Set([6, 7, 50, 89, 91, 112, 133, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

const TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'PoolRequestedRetry'];

function isTransientStoreError(e: unknown): boolean {
  if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || e instanceof MongoNotConnectedError
    || e instanceof MongoTopologyClosedError || e instanceof MongoOperationTimeoutError || e instanceof MongoWriteConcernError) return true;
  if (!(e instanceof MongoError)) return false;
  if (TRANSIENT_LABELS.some((l) => e.hasErrorLabel(l))) return true;
  // A bulk is transient as a whole only if every failed statement failed for a transient reason.
  const writeErrors = (e as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length > 0) return list.every((w) => TRANSIENT_STORE_CODES.has((w as { code?: number }).code ?? -1));
  return typeof e.code === 'number' && TRANSIENT_STORE_CODES.has(e.code);
}

/**
 * How the projector retries a failure. Transient (the partition waits, retrying with backoff
 * and jitter for as long as it lasts, and never dead-letters): the view store or the broker is
 * unreachable, slow or failing over — network errors, server selection and operation timeouts,
 * "not primary", write conflicts, anything flagged `retriable`. Limited (5 tries, then the
 * dead-letter topic while the partition moves on): everything else — an undecodable or invalid
 * payload, a projection that throws on the event, a document the store refuses.
 */
export function classifyProjectorFailure(e: unknown): FailureKind {
  if (e instanceof StopRequested) return 'transient';
  if (isTransientStoreError(e) || isTransientInfraError(e)) return 'transient';
  return 'limited';
}
