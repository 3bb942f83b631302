import type pg from 'pg';

/** The trace a timeout's commands continue (the placing event's). */
export interface TimeoutTrace {
  correlationId: string;
  causationId: string | null;
  traceparent: string | null;
}

/** `scheduled`: the row is new; `exists`: the order already had one, whose due time is kept. */
export type ScheduleResult = { ok: true; outcome: 'scheduled' | 'exists' };

const SQL = `insert into saga_timeouts (order_id, due_at, correlation_id, causation_id, traceparent)
             values ($1, $2, $3, $4, $5) on conflict (order_id) do nothing`;

/** Stores an order's timeout row if it has none (a repeat keeps the first due time). */
export async function scheduleTimeout(db: pg.Pool | pg.ClientBase, orderId: string, dueAt: string, trace: TimeoutTrace): Promise<ScheduleResult> {
  const r = await db.query(SQL, [orderId, dueAt, trace.correlationId, trace.causationId, trace.traceparent]);
  return { ok: true, outcome: r.rowCount === 1 ? 'scheduled' : 'exists' };
}
