import { createHash } from 'node:crypto';
import {
  GatewayUnavailableError,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CallOptions,
  type CaptureRequest,
  type CaptureResult,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
  type VoidRequest,
  type VoidResult,
} from './gateway.ts';

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

/** Money moved for one order, summed over its authorisations. */
export interface LedgerEntry {
  orderId: string;
  currency: string;
  /** Distinct holds placed (a correct saga places exactly one per order). */
  authorisations: number;
  authorisedMinor: number;
  capturedMinor: number;
  voidedMinor: number;
  refundedMinor: number;
}

/** Calls that reached the sandbox (retries count; calls failed fast by a breaker do not). */
export type CallCounts = Record<'authorise' | 'capture' | 'void' | 'refund', number>;

/** Options of {@link createSandboxGateway}. */
export interface SandboxGatewayOptions {
  /** Simulated network latency per call, honouring the AbortSignal. @default 0 */
  latencyMs?: number;
}

/** The sandbox: a {@link PaymentGateway} plus switches and views for tests and local runs. */
export interface SandboxGateway extends PaymentGateway {
  /** Money per order, in order of first authorisation. */
  ledger(): LedgerEntry[];
  /** One order's entry, or undefined when it was never authorised. */
  ledgerFor(orderId: string): LedgerEntry | undefined;
  /** While on, every call throws GatewayUnavailableError (a provider outage). */
  setOutage(on: boolean): void;
  /** The next `n` calls throw GatewayUnavailableError (a transient blip). */
  failNext(n: number): void;
  /** Calls received so far, by operation. */
  calls(): CallCounts;
}

interface Hold {
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

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** Resolves after `ms`, or rejects when `signal` aborts first. `ms = Infinity` waits for the abort only. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
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

/**
 * An in-process card provider in test mode. `tok_visa`/`tok_mastercard` authorise,
 * `tok_declined` declines (`card_declined`), `tok_insufficient_funds` declines
 * (`insufficient_funds`), other tokens decline (`invalid_token`), `tok_timeout` never
 * answers, `tok_error` throws. Every operation is idempotent by idempotency key (the first
 * answer is replayed, money moves once) and ids derive from the key, so runs are repeatable.
 * @throws Error when an idempotency key is reused for a different request (a caller bug).
 */
export function createSandboxGateway(options: SandboxGatewayOptions = {}): SandboxGateway {
  const latencyMs = options.latencyMs ?? 0;
  const holds = new Map<string, Hold>();
  const answers = new Map<string, { fingerprint: string; result: unknown }>();
  const counts: CallCounts = { authorise: 0, capture: 0, void: 0, refund: 0 };
  let outage = false;
  let failures = 0;

  async function enter(op: keyof CallCounts, opts: CallOptions | undefined): Promise<void> {
    counts[op] += 1;
    if (opts?.signal?.aborted) throw abortReason(opts.signal);
    if (latencyMs > 0) await wait(latencyMs, opts?.signal);
    if (outage) throw new GatewayUnavailableError('sandbox outage');
    if (failures > 0) {
      failures -= 1;
      throw new GatewayUnavailableError('sandbox transient failure');
    }
  }

  /** Replays the first answer for a key, or computes and remembers it. */
  function once<R>(key: string, request: object, compute: () => R): R {
    const fingerprint = JSON.stringify(request);
    const seen = answers.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new Error(`idempotency key ${key} reused for a different request`);
      return seen.result as R;
    }
    const result = compute();
    answers.set(key, { fingerprint, result });
    return result;
  }

  function ledger(): LedgerEntry[] {
    const byOrder = new Map<string, LedgerEntry>();
    for (const hold of holds.values()) {
      const entry = byOrder.get(hold.orderId) ?? {
        orderId: hold.orderId,
        currency: hold.currency,
        authorisations: 0,
        authorisedMinor: 0,
        capturedMinor: 0,
        voidedMinor: 0,
        refundedMinor: 0,
      };
      entry.authorisations += 1;
      entry.authorisedMinor += hold.amountMinor;
      entry.capturedMinor += hold.capturedMinor;
      entry.voidedMinor += hold.voided ? hold.amountMinor : 0;
      entry.refundedMinor += hold.refundedMinor;
      byOrder.set(hold.orderId, entry);
    }
    return [...byOrder.values()];
  }

  return {
    async authorise(req: AuthoriseRequest, opts?: CallOptions): Promise<AuthoriseResult> {
      await enter('authorise', opts);
      if (req.token === SANDBOX_TOKENS.error) throw new GatewayUnavailableError('sandbox error for tok_error');
      if (req.token === SANDBOX_TOKENS.timeout) {
        await wait(Number.POSITIVE_INFINITY, opts?.signal);
      }
      const { idempotencyKey, ...request } = req;
      return once(idempotencyKey, { op: 'authorise', ...request }, (): AuthoriseResult => {
        switch (req.token) {
          case SANDBOX_TOKENS.visa:
          case SANDBOX_TOKENS.mastercard: {
            const authorisationId = sandboxId('auth', idempotencyKey);
            holds.set(authorisationId, {
              orderId: req.orderId,
              currency: req.currency,
              amountMinor: req.amountMinor,
              capturedMinor: 0,
              refundedMinor: 0,
              voided: false,
            });
            return { kind: 'authorised', authorisationId };
          }
          case SANDBOX_TOKENS.declined:
            return { kind: 'declined', reason: 'card_declined' };
          case SANDBOX_TOKENS.insufficientFunds:
            return { kind: 'declined', reason: 'insufficient_funds' };
          default:
            return { kind: 'declined', reason: 'invalid_token' };
        }
      });
    },

    async capture(req: CaptureRequest, opts?: CallOptions): Promise<CaptureResult> {
      await enter('capture', opts);
      const { idempotencyKey, ...request } = req;
      return once(idempotencyKey, { op: 'capture', ...request }, (): CaptureResult => {
        const hold = holds.get(req.authorisationId);
        if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
        if (hold.voided) return { kind: 'refused', reason: 'already_voided' };
        if (hold.capturedMinor > 0) return { kind: 'refused', reason: 'already_captured' };
        if (req.currency !== hold.currency) return { kind: 'refused', reason: 'currency_mismatch' };
        if (req.amountMinor > hold.amountMinor) return { kind: 'refused', reason: 'amount_too_large' };
        hold.capturedMinor = req.amountMinor;
        return { kind: 'captured', captureId: sandboxId('cap', idempotencyKey) };
      });
    },

    async void(req: VoidRequest, opts?: CallOptions): Promise<VoidResult> {
      await enter('void', opts);
      const { idempotencyKey, ...request } = req;
      return once(idempotencyKey, { op: 'void', ...request }, (): VoidResult => {
        const hold = holds.get(req.authorisationId);
        if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
        if (hold.capturedMinor > 0) return { kind: 'refused', reason: 'already_captured' };
        hold.voided = true;
        return { kind: 'voided' };
      });
    },

    async refund(req: RefundRequest, opts?: CallOptions): Promise<RefundResult> {
      await enter('refund', opts);
      const { idempotencyKey, ...request } = req;
      return once(idempotencyKey, { op: 'refund', ...request }, (): RefundResult => {
        const hold = holds.get(req.authorisationId);
        if (!hold || hold.orderId !== req.orderId) return { kind: 'refused', reason: 'unknown_authorisation' };
        if (hold.capturedMinor === 0) return { kind: 'refused', reason: 'not_captured' };
        if (req.currency !== hold.currency) return { kind: 'refused', reason: 'currency_mismatch' };
        if (req.amountMinor > hold.capturedMinor - hold.refundedMinor) return { kind: 'refused', reason: 'amount_too_large' };
        hold.refundedMinor += req.amountMinor;
        return { kind: 'refunded', refundId: sandboxId('ref', idempotencyKey) };
      });
    },

    ledger,

    ledgerFor(orderId: string): LedgerEntry | undefined {
      return ledger().find((e) => e.orderId === orderId);
    },

    setOutage(on: boolean): void {
      outage = on;
    },

    failNext(n: number): void {
      failures = Math.max(0, Math.trunc(n));
    },

    calls(): CallCounts {
      return { ...counts };
    },
  };
}
