import { ContractError } from '../../../contracts/index.ts';
import { isTransientInfraError, StopRequested, type FailureKind } from '../../../messaging/index.ts';
import { NotificationError } from '../notifier.ts';

/** The order an event names is not in the event store (yet). Retried a few times, then given up. */
export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  readonly retriable = false;
  constructor(readonly orderId: string) {
    super(`order ${orderId} not found`);
  }
}

/**
 * How the notification consumer retries a failure: the transport refusing for good (5xx) and
 * contract violations are permanent; an unknown order and unclassified errors are limited;
 * transport and database trouble are transient (retried until the mail goes out).
 */
export function classifyNotificationFailure(e: unknown): FailureKind {
  if (e instanceof StopRequested) return 'transient';
  if (e instanceof NotificationError) return e.retriable ? 'transient' : 'permanent';
  if (e instanceof ContractError) return 'permanent';
  if (e instanceof OrderNotFoundError) return 'limited';
  if (isTransientInfraError(e)) return 'transient';
  return 'limited';
}
