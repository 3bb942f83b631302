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
import {
  authoriseRule,
  captureRule,
  fingerprintOf,
  refundRule,
  SANDBOX_TOKENS,
  voidRule,
  waitOrAbort,
  type SandboxHold,
} from './sandboxRules.ts';
import { createSandboxSwitches, type CallCounts } from './sandboxSwitches.ts';

export { SANDBOX_TOKENS, sandboxId } from './sandboxRules.ts';
export type { CallCounts } from './sandboxSwitches.ts';

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

/** Sums holds into ledger entries per order, in order of first hold. */
export function ledgerOf(holds: Iterable<SandboxHold>): LedgerEntry[] {
  const byOrder = new Map<string, LedgerEntry>();
  for (const hold of holds) {
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

/**
 * An in-process card provider in test mode. `tok_visa`/`tok_mastercard` authorise,
 * `tok_declined` declines (`card_declined`), `tok_insufficient_funds` declines
 * (`insufficient_funds`), other tokens decline (`invalid_token`), `tok_timeout` never
 * answers, `tok_error` throws. Every operation is idempotent by idempotency key (the first
 * answer is replayed, money moves once) and ids derive from the key, so runs are repeatable.
 * Its memory dies with the process: see `durableSandboxGateway.ts` for one that survives restarts.
 * @throws Error when an idempotency key is reused for a different request (a caller bug).
 */
export function createSandboxGateway(options: SandboxGatewayOptions = {}): SandboxGateway {
  const switches = createSandboxSwitches(options.latencyMs ?? 0);
  const holds = new Map<string, SandboxHold>();
  const answers = new Map<string, { fingerprint: string; result: unknown }>();

  /** Replays the first answer for a key, or computes and remembers it. */
  function once<R>(key: string, fingerprint: string, compute: () => R): R {
    const seen = answers.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new Error(`idempotency key ${key} reused for a different request`);
      return seen.result as R;
    }
    const result = compute();
    answers.set(key, { fingerprint, result });
    return result;
  }

  const ledger = () => ledgerOf(holds.values());

  return {
    async authorise(req: AuthoriseRequest, opts?: CallOptions): Promise<AuthoriseResult> {
      await switches.enter('authorise', opts);
      if (req.token === SANDBOX_TOKENS.error) throw new GatewayUnavailableError('sandbox error for tok_error');
      if (req.token === SANDBOX_TOKENS.timeout) await waitOrAbort(Number.POSITIVE_INFINITY, opts?.signal);
      return once(req.idempotencyKey, fingerprintOf('authorise', req), () => {
        const result = authoriseRule(req);
        if (result.kind === 'authorised') {
          const { orderId, currency, amountMinor } = req;
          holds.set(result.authorisationId, { orderId, currency, amountMinor, capturedMinor: 0, refundedMinor: 0, voided: false });
        }
        return result;
      });
    },
    async capture(req: CaptureRequest, opts?: CallOptions): Promise<CaptureResult> {
      await switches.enter('capture', opts);
      return once(req.idempotencyKey, fingerprintOf('capture', req), () => {
        const hold = holds.get(req.authorisationId);
        const result = captureRule(hold, req);
        if (hold && result.kind === 'captured') hold.capturedMinor = req.amountMinor;
        return result;
      });
    },
    async void(req: VoidRequest, opts?: CallOptions): Promise<VoidResult> {
      await switches.enter('void', opts);
      return once(req.idempotencyKey, fingerprintOf('void', req), () => {
        const hold = holds.get(req.authorisationId);
        const result = voidRule(hold, req);
        if (hold && result.kind === 'voided') hold.voided = true;
        return result;
      });
    },
    async refund(req: RefundRequest, opts?: CallOptions): Promise<RefundResult> {
      await switches.enter('refund', opts);
      return once(req.idempotencyKey, fingerprintOf('refund', req), () => {
        const hold = holds.get(req.authorisationId);
        const result = refundRule(hold, req);
        if (hold && result.kind === 'refunded') hold.refundedMinor += req.amountMinor;
        return result;
      });
    },
    ledger,
    ledgerFor: (orderId: string) => ledger().find((e) => e.orderId === orderId),
    setOutage: (on: boolean) => switches.setOutage(on),
    failNext: (n: number) => switches.failNext(n),
    calls: () => switches.calls(),
  };
}
