import type pg from 'pg';

/** `cleared`: the row was deleted; `absent`: there was none (already cleared, or never scheduled). */
export type ClearResult = { ok: true; outcome: 'cleared' | 'absent' };

/** Deletes an order's saga timeout row, if any (named so it never hides the global `clearTimeout`). */
export async function cancelSagaTimeout(db: pg.Pool | pg.ClientBase, orderId: string): Promise<ClearResult> {
  const r = await db.query('delete from saga_timeouts where order_id = $1', [orderId]);
  return { ok: true, outcome: r.rowCount === 1 ? 'cleared' : 'absent' };
}
