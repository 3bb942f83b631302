import type pg from 'pg';
import type { TimeoutTrace } from './scheduleTimeout.ts';

/** A due timeout row this sweeper now holds a lease on. */
export interface DueTimeout extends TimeoutTrace {
  orderId: string;
  dueAt: Date;
  /** Times the row was claimed, this claim included. */
  attempts: number;
}

const SQL = `
  update saga_timeouts t
     set claimed_until = $1::timestamptz + make_interval(secs => $3::double precision / 1000), attempts = t.attempts + 1
   where t.order_id in (
           select order_id from saga_timeouts
            where due_at <= $1 and (claimed_until is null or claimed_until <= $1)
            order by due_at
            limit $2
            for update skip locked)
  returning t.order_id, t.due_at, t.correlation_id, t.causation_id, t.traceparent, t.attempts`;

/**
 * Claims up to `limit` rows due at `now` that nobody holds a lease on, for `leaseMs`. Rows locked
 * by another sweeper are skipped, not waited for. A claim that is not followed by a delete runs
 * out, and the row is claimed again (that is how a crashed sweeper's work is picked up).
 */
export async function claimDueTimeouts(db: pg.Pool | pg.ClientBase, now: Date, limit: number, leaseMs: number): Promise<DueTimeout[]> {
  const { rows } = await db.query<{
    order_id: string; due_at: Date; correlation_id: string; causation_id: string | null; traceparent: string | null; attempts: number;
  }>(SQL, [now.toISOString(), limit, leaseMs]);
  return rows.map((r) => ({
    orderId: r.order_id, dueAt: r.due_at, correlationId: r.correlation_id, causationId: r.causation_id, traceparent: r.traceparent, attempts: r.attempts,
  }));
}
