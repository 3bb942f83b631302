import { ContractError } from '../../../contracts/index.ts';
import { DomainError } from '../../domain/errors.ts';
import { IdempotencyKeyReusedError } from '../../handlers/errors.ts';
import { isTransientInfraError, StopRequested, type FailureKind } from '../../../messaging/index.ts';
import { SagaContextError } from '../context.ts';

/**
 * The gateway refused a capture, void or refund (unknown authorisation, already captured, …).
 * Not retriable: the same call is refused the same way; an operator must look at the order.
 */
export class GatewayRefusedError extends Error {
  override readonly name = 'GatewayRefusedError';
  readonly retriable = false;
  constructor(
    readonly orderId: string,
    readonly operation: string,
    readonly reason: string,
  ) {
    super(`payment gateway refused to ${operation} order ${orderId}: ${reason}`);
  }
}

/** A `DomainError` CONFLICT: the order moved on under the step; reloading and reacting again fixes it. */
export function isConflict(e: unknown): e is DomainError {
  return e instanceof DomainError && e.code === 'CONFLICT';
}

/**
 * How the saga retries a failure. Transient (retried as long as it lasts): gateway unavailable
 * or circuit open, lost optimistic-concurrency races, database and network trouble. Limited:
 * an order not found yet (`SagaContextError` retriable) and errors nobody classified.
 * Permanent: business rules (`DomainError`, conflicts that survived reloading), refusals,
 * contract violations and a context that cannot fit.
 */
export function classifySagaFailure(e: unknown): FailureKind {
  if (e instanceof StopRequested) return 'transient';
  if (e instanceof SagaContextError) return e.retriable ? 'limited' : 'permanent';
  if (e instanceof DomainError || e instanceof GatewayRefusedError || e instanceof ContractError || e instanceof IdempotencyKeyReusedError) {
    return 'permanent';
  }
  if (isTransientInfraError(e)) return 'transient';
  return 'limited';
}
