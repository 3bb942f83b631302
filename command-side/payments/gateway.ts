/**
 * The payment gateway port. The saga runtime calls it; adapters (the in-process sandbox,
 * a real card provider) implement it. Declines and refusals are values; only transient
 * trouble (network, timeout, outage, open circuit) is thrown, as {@link GatewayUnavailableError}.
 *
 * Every call carries an `idempotencyKey`: repeating a call with the same key returns
 * the first answer and moves no money twice, so a saga that crashed may call again.
 */

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call; an aborted call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Ask for a hold on the customer's card. */
export interface AuthoriseRequest {
  orderId: string;
  /** Integer minor units. */
  amountMinor: number;
  currency: string;
  /** Card token from the client; never log it. */
  token: string;
  idempotencyKey: string;
}

/** The provider's answer to an authorisation. */
export type AuthoriseResult =
  | { kind: 'authorised'; authorisationId: string }
  | { kind: 'declined'; reason: string };

/** Turn (part of) a hold into a charge. */
export interface CaptureRequest {
  orderId: string;
  authorisationId: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

/** Release a hold without charging. */
export interface VoidRequest {
  orderId: string;
  authorisationId: string;
  idempotencyKey: string;
}

/** Pay (part of) a captured charge back. */
export interface RefundRequest {
  orderId: string;
  authorisationId: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
}

/** Why the provider refused a capture, void or refund (not retriable: the same call fails the same way). */
export type RefusalReason =
  | 'unknown_authorisation'
  | 'already_captured'
  | 'already_voided'
  | 'not_captured'
  | 'amount_too_large'
  | 'currency_mismatch';

/** Answer to a capture. */
export type CaptureResult = { kind: 'captured'; captureId: string } | { kind: 'refused'; reason: RefusalReason };
/** Answer to a void. */
export type VoidResult = { kind: 'voided' } | { kind: 'refused'; reason: RefusalReason };
/** Answer to a refund. */
export type RefundResult = { kind: 'refunded'; refundId: string } | { kind: 'refused'; reason: RefusalReason };

/** A card provider, as the saga sees it. */
export interface PaymentGateway {
  /**
   * Places a hold. Idempotent by `idempotencyKey`.
   * @throws GatewayUnavailableError when the provider cannot be reached or answer in time.
   */
  authorise(req: AuthoriseRequest, opts?: CallOptions): Promise<AuthoriseResult>;
  /**
   * Captures a hold. Idempotent by `idempotencyKey`.
   * @throws GatewayUnavailableError when the provider cannot be reached or answer in time.
   */
  capture(req: CaptureRequest, opts?: CallOptions): Promise<CaptureResult>;
  /**
   * Voids a hold. Idempotent by `idempotencyKey`.
   * @throws GatewayUnavailableError when the provider cannot be reached or answer in time.
   */
  void(req: VoidRequest, opts?: CallOptions): Promise<VoidResult>;
  /**
   * Refunds a capture. Idempotent by `idempotencyKey`.
   * @throws GatewayUnavailableError when the provider cannot be reached or answer in time.
   */
  refund(req: RefundRequest, opts?: CallOptions): Promise<RefundResult>;
}

/** Why the gateway could not be used. */
export type UnavailableCode = 'UNAVAILABLE' | 'TIMEOUT' | 'CIRCUIT_OPEN';

/**
 * The gateway could not give an answer (network, outage, timeout, open circuit).
 * Retriable: nothing is known to have happened, and calls are idempotent, so the same
 * call with the same idempotency key may be repeated later.
 */
export class GatewayUnavailableError extends Error {
  override readonly name = 'GatewayUnavailableError';
  readonly retriable = true;
  readonly code: UnavailableCode;

  constructor(message: string, options?: { code?: UnavailableCode; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? 'UNAVAILABLE';
  }
}

/** True for {@link GatewayUnavailableError} (also across module copies). */
export function isGatewayUnavailable(e: unknown): e is GatewayUnavailableError {
  return e instanceof GatewayUnavailableError || (e instanceof Error && e.name === 'GatewayUnavailableError');
}
