import type pg from 'pg';
import {
  GatewayUnavailableError, type AuthoriseRequest, type AuthoriseResult, type CallOptions, type CaptureRequest, type CaptureResult, type PaymentGateway, type RefundRequest, type RefundResult, type VoidRequest, type VoidResult,
} from './gateway.ts';
import { ledgerOf, type LedgerEntry } from './sandboxGateway.ts';
import {
  authoriseRule, captureRule, fingerprintOf, refundRule, SANDBOX_TOKENS, voidRule, waitOrAbort, type SandboxHold,
} from './sandboxRules.ts';
import { createSandboxSwitches, type CallCounts } from './sandboxSwitches.ts';

/** Options of {@link createDurableSandboxGateway}. */
export interface DurableSandboxGatewayOptions {
  /** A pool on a database migrated with `003_payment_sandbox.sql` (table `sandbox_charges`). */
  pool: pg.Pool;
  /** Simulated network latency per call, honouring the AbortSignal. @default 0 */
  latencyMs?: number;
}

/**
 * The sandbox card provider with its memory in Postgres: answers and holds survive a restart, and
 * every process on the same database shares them, so a saga worker killed after the provider
 * answered and restarted elsewhere gets the first answer back instead of a second hold. The test
 * switches (outage, blips, call counts) are per process.
 */
export interface DurableSandboxGateway extends PaymentGateway {
  /** Money per order, in order of first authorisation. */
  ledger(): Promise<LedgerEntry[]>;
  /** One order's entry, or undefined when it was never authorised. */
  ledgerFor(orderId: string): Promise<LedgerEntry | undefined>;
  /** While on, every call in this process throws GatewayUnavailableError. */
  setOutage(on: boolean): void;
  /** The next `n` calls in this process throw GatewayUnavailableError. */
  failNext(n: number): void;
  /** Calls received by this process, by operation. */
  calls(): CallCounts;
}

type Operation = 'authorise' | 'capture' | 'void' | 'refund';

interface HoldRow {
  authorisation_id: string;
  order_id: string;
  currency: string;
  amount_minor: string;
  captured: string;
  refunded: string;
  voided: boolean | null;
}

const HOLDS_SQL = `
  select a.authorisation_id, a.order_id, a.currency, a.amount_minor,
         coalesce(sum(o.amount_minor) filter (where o.operation = 'capture' and o.result->>'kind' = 'captured'), 0) as captured,
         coalesce(sum(o.amount_minor) filter (where o.operation = 'refund' and o.result->>'kind' = 'refunded'), 0) as refunded,
         bool_or(o.operation = 'void' and o.result->>'kind' = 'voided') as voided
    from sandbox_charges a
    left join sandbox_charges o on o.authorisation_id = a.authorisation_id and o.operation <> 'authorise'
   where a.operation = 'authorise' and a.result->>'kind' = 'authorised' and %WHERE%
   group by a.authorisation_id, a.order_id, a.currency, a.amount_minor, a.created_at
   order by a.created_at, a.authorisation_id`;

function toHold(r: HoldRow): SandboxHold {
  return {
    orderId: r.order_id,
    currency: r.currency,
    amountMinor: Number(r.amount_minor),
    capturedMinor: Number(r.captured),
    refundedMinor: Number(r.refunded),
    voided: r.voided === true,
  };
}

/**
 * A {@link PaymentGateway} with the sandbox's tokens and rules (see `sandboxRules.ts`), keeping
 * one row per idempotency key in `sandbox_charges`. Each call runs in one transaction under an
 * advisory lock on its hold (or, for an authorisation, its key), so concurrent repeats
 * serialise and the first answer is the one stored and replayed.
 * @throws GatewayUnavailableError from a call for `tok_error`, during an outage, or when the
 * database fails (so callers retry it like any provider trouble); Error when an idempotency key
 * is reused for a different request (a caller bug).
 */
export function createDurableSandboxGateway(options: DurableSandboxGatewayOptions): DurableSandboxGateway {
  const { pool } = options;
  const switches = createSandboxSwitches(options.latencyMs ?? 0);

  /** Replays the stored answer for `key`, or decides, stores and returns a new one, atomically. */
  async function once<R extends { kind: string }>(
    op: Operation,
    req: { idempotencyKey: string; orderId: string },
    lockKey: string,
    decide: (client: pg.PoolClient) => Promise<{ result: R; authorisationId: string | null; amountMinor: number; currency: string | null }>,
  ): Promise<R> {
    const fingerprint = fingerprintOf(op, req);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw new GatewayUnavailableError('sandbox database unavailable', { cause: e });
    }
    let reused = false;
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(hashtextextended($1, 7316206))', [lockKey]);
      const seen = await client.query<{ fingerprint: string; result: R }>(
        'select fingerprint, result from sandbox_charges where idempotency_key = $1',
        [req.idempotencyKey],
      );
      const first = seen.rows[0];
      if (first) {
        await client.query('commit');
        if (first.fingerprint !== fingerprint) {
          reused = true;
          throw new Error(`idempotency key ${req.idempotencyKey} reused for a different request`);
        }
        return first.result;
      }
      const d = await decide(client);
      await client.query(
        `insert into sandbox_charges (idempotency_key, operation, order_id, authorisation_id, amount_minor, currency, fingerprint, result)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [req.idempotencyKey, op, req.orderId, d.authorisationId, d.amountMinor, d.currency, fingerprint, JSON.stringify(d.result)],
      );
      await client.query('commit');
      return d.result;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      if (reused) throw e;
      throw new GatewayUnavailableError(`sandbox ${op} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      client.release();
    }
  }

  async function holdOf(client: pg.PoolClient, authorisationId: string): Promise<SandboxHold | undefined> {
    const { rows } = await client.query<HoldRow>(HOLDS_SQL.replace('%WHERE%', 'a.authorisation_id = $1'), [authorisationId]);
    const row = rows[0];
    return row ? toHold(row) : undefined;
  }

  async function ledger(orderId?: string): Promise<LedgerEntry[]> {
    const { rows } = orderId === undefined
      ? await pool.query<HoldRow>(HOLDS_SQL.replace('%WHERE%', 'true'))
      : await pool.query<HoldRow>(HOLDS_SQL.replace('%WHERE%', 'a.order_id = $1'), [orderId]);
    return ledgerOf(rows.map(toHold));
  }

  return {
    async authorise(req: AuthoriseRequest, opts?: CallOptions): Promise<AuthoriseResult> {
      await switches.enter('authorise', opts);
      if (req.token === SANDBOX_TOKENS.error) throw new GatewayUnavailableError('sandbox error for tok_error');
      if (req.token === SANDBOX_TOKENS.timeout) await waitOrAbort(Number.POSITIVE_INFINITY, opts?.signal);
      return once('authorise', req, req.idempotencyKey, async () => {
        const result = authoriseRule(req);
        const authorisationId = result.kind === 'authorised' ? result.authorisationId : null;
        return { result, authorisationId, amountMinor: req.amountMinor, currency: req.currency };
      });
    },
    async capture(req: CaptureRequest, opts?: CallOptions): Promise<CaptureResult> {
      await switches.enter('capture', opts);
      return once('capture', req, req.authorisationId, async (client) => ({
        result: captureRule(await holdOf(client, req.authorisationId), req),
        authorisationId: req.authorisationId,
        amountMinor: req.amountMinor,
        currency: req.currency,
      }));
    },
    async void(req: VoidRequest, opts?: CallOptions): Promise<VoidResult> {
      await switches.enter('void', opts);
      return once('void', req, req.authorisationId, async (client) => ({
        result: voidRule(await holdOf(client, req.authorisationId), req),
        authorisationId: req.authorisationId,
        amountMinor: 0,
        currency: null,
      }));
    },
    async refund(req: RefundRequest, opts?: CallOptions): Promise<RefundResult> {
      await switches.enter('refund', opts);
      return once('refund', req, req.authorisationId, async (client) => ({
        result: refundRule(await holdOf(client, req.authorisationId), req),
        authorisationId: req.authorisationId,
        amountMinor: req.amountMinor,
        currency: req.currency,
      }));
    },
    ledger: () => ledger(),
    ledgerFor: async (orderId: string) => (await ledger(orderId))[0],
    setOutage: (on: boolean) => switches.setOutage(on),
    failNext: (n: number) => switches.failNext(n),
    calls: () => switches.calls(),
  };
}
