import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { VaultEntry } from '../eventStore/sql/appendToStreamAtomic.ts';

/** What an exchange gives back: the new reference and, when the caller must store it, the entry. */
export interface PaymentExchange {
  ref: string;
  /**
   * Set by a vault that lives in the event store's own database (the sandbox): the order's append
   * stores the entry in its own statement, so the reference exists exactly when the order that
   * names it does, and placing an order stays one round trip. Absent when the provider already
   * stored it (a remote provider's API call).
   */
  entry?: VaultEntry;
}

/**
 * The provider's card vault: the payment step turns the client's card token into an opaque
 * provider reference (`pm_…`) before anything is stored. Only the reference travels through
 * events, Kafka, logs and dead letters; the saga resolves it at the moment it calls the provider.
 */
export interface PaymentVault {
  /** A new reference for `token`, stored with the provider or left to the caller's append (see {@link PaymentExchange.entry}). */
  exchange(token: string): Promise<PaymentExchange>;
  /** The token behind `ref`, or undefined for an unknown (or redacted) reference. */
  tokenOf(ref: string): Promise<string | undefined>;
}

/** The reference that replaces a token redacted from an old event: no provider knows it, so it declines. */
export const REDACTED_PAYMENT_REF = 'pm_redacted';

/** A new provider reference: 128 random bits, never derived from the token. */
export function newPaymentRef(): string {
  return `pm_${randomBytes(16).toString('hex')}`;
}

/**
 * The sandbox provider's vault, in its Postgres table `sandbox_payment_methods` (migration 004), in
 * the event store's database: an exchange only makes the reference; the order's append stores the
 * entry (`eventStore/sql/appendToStreamAtomic.ts`).
 */
export function createPostgresPaymentVault(pool: pg.Pool): PaymentVault {
  return {
    exchange(token) {
      const ref = newPaymentRef();
      return Promise.resolve({ ref, entry: { ref, token } });
    },
    async tokenOf(ref) {
      const { rows } = await pool.query<{ token: string }>('select token from sandbox_payment_methods where ref = $1', [ref]);
      return rows[0]?.token;
    },
  };
}
