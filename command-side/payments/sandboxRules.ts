import { createHash } from 'node:crypto';
import type {
  AuthoriseRequest,
  AuthoriseResult,
  CaptureRequest,
  CaptureResult,
  RefundRequest,
  RefundResult,
  VoidRequest,
  VoidResult,
} from './gateway.ts';

/**
 * The sandbox provider's rules, shared by the in-memory sandbox and the Postgres-backed one:
 * which test tokens authorise, and when a capture, void or refund is refused. Pure: the
 * callers keep the holds and replay answers per idempotency key.
 */

/** Test-mode card tokens the sandbox understands (like a card provider's test cards). */
export const SANDBOX_TOKENS = {
  visa: 'tok_visa',
  mastercard: 'tok_mastercard',
  declined: 'tok_declined',
  insufficientFunds: 'tok_insufficient_funds',
  /** Never answers; only an AbortSignal ends the call. */
  timeout: 'tok_timeout',
  /** Always throws GatewayUnavailableError. */
  error: 'tok_error',
} as const;

/** A hold the sandbox placed, and what became of it. */
export interface SandboxHold {
  orderId: string;
  currency: string;
  amountMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  voided: boolean;
}

/** Deterministic provider id: `<prefix>_<24 hex of sha256(idempotencyKey)>`. */
export function sandboxId(prefix: string, idempotencyKey: string): string {
  return `${prefix}_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

/** The request without its key, as JSON: a repeat with another fingerprint is a caller bug. */
export function fingerprintOf(op: string, req: { idempotencyKey: string }): string {
  const { idempotencyKey: _key, ...request } = req;
  return JSON.stringify({ op, ...request });
}

/** The answer to an authorisation (tokens `tok_timeout` and `tok_error` are handled before). */
export function authoriseRule(req: AuthoriseRequest): AuthoriseResult {
  switch (req.token) {
    case SANDBOX_TOKENS.visa:
    case SANDBOX_TOKENS.mastercard:
      return { kind: 'authorised', authorisationId: sandboxId('auth', req.idempotencyKey) };
    case SANDBOX_TOKENS.declined:
      return { kind: 'declined', reason: 'card_declined' };
    case SANDBOX_TOKENS.insufficientFunds:
      return { kind: 'declined', reason: 'insufficient_funds' };
    default:
      return { kind: 'declined', reason: 'invalid_token' };
  }
}

/** The answer to a capture of `hold` (undefined: unknown). On `captured`, the hold's captured amount becomes `req.amountMinor`. */
export function captureRule(hold: SandboxHold | undefined, req: CaptureRequest): CaptureResult {
  if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
  if (hold.voided) return { kind: 'refused', reason: 'already_voided' };
  if (hold.capturedMinor > 0) return { kind: 'refused', reason: 'already_captured' };
  if (req.currency !== hold.currency) return { kind: 'refused', reason: 'currency_mismatch' };
  if (req.amountMinor > hold.amountMinor) return { kind: 'refused', reason: 'amount_too_large' };
  return { kind: 'captured', captureId: sandboxId('cap', req.idempotencyKey) };
}

/** The answer to a void of `hold`. On `voided`, the hold is voided. */
export function voidRule(hold: SandboxHold | undefined, req: VoidRequest): VoidResult {
  if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
  if (hold.capturedMinor > 0) return { kind: 'refused', reason: 'already_captured' };
  return { kind: 'voided' };
}

/** The answer to a refund of `hold`. On `refunded`, `req.amountMinor` is added to the refunded amount. */
export function refundRule(hold: SandboxHold | undefined, req: RefundRequest): RefundResult {
  if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
  if (hold.capturedMinor === 0) return { kind: 'refused', reason: 'not_captured' };
  if (req.currency !== hold.currency) return { kind: 'refused', reason: 'currency_mismatch' };
  if (req.amountMinor > hold.capturedMinor - hold.refundedMinor) return { kind: 'refused', reason: 'amount_too_large' };
  return { kind: 'refunded', refundId: sandboxId('ref', req.idempotencyKey) };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** Resolves after `ms`, or rejects when `signal` aborts first. `ms = Infinity` waits for the abort only. */
export function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      if (timer) clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
