import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/**
 * The provider's card vault: the payment step turns the client's card token into an opaque
 * provider reference (`pm_…`) before anything is stored. Only the reference travels through
 * events, Kafka, logs and dead letters; the saga resolves it at the moment it calls the provider.
 */
export interface PaymentVault {
  /** Stores `token` with the provider and returns its new reference. */
  exchange(token: string): Promise<string>;
  /** The token behind `ref`, or undefined for an unknown (or redacted) reference. */
  tokenOf(ref: string): Promise<string | undefined>;
}

/** The reference that replaces a token redacted from an old event: no provider knows it, so it declines. */
export const REDACTED_PAYMENT_REF = 'pm_redacted';

/** A new provider reference: 128 random bits, never derived from the token. */
export function newPaymentRef(): string {
  return `pm_${randomBytes(16).toString('hex')}`;
}

/** The sandbox provider's vault, in its Postgres table `sandbox_payment_methods` (migration 004). */
export function createPostgresPaymentVault(pool: pg.Pool): PaymentVault {
  return {
    async exchange(token) {
      const ref = newPaymentRef();
      await pool.query('insert into sandbox_payment_methods (ref, token) values ($1, $2)', [ref, token]);
      return ref;
    },
    async tokenOf(ref) {
      const { rows } = await pool.query<{ token: string }>('select token from sandbox_payment_methods where ref = $1', [ref]);
      return rows[0]?.token;
    },
  };
}
