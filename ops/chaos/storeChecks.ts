import type pg from 'pg';
import type { CheckResult } from './check.ts';
import type { AckedCommand } from './load.ts';

const STATUS_OF: Record<string, string> = { OrderPlaced: 'PLACED', OrderConfirmed: 'CONFIRMED', OrderRejected: 'REJECTED', OrderShipped: 'SHIPPED', OrderCancelled: 'CANCELLED' };
const FINAL = new Set(['CONFIRMED', 'REJECTED', 'SHIPPED', 'CANCELLED']);

/** Final status of every order stream in the store (its last status-changing event), by order id. */
export async function orderStatuses(pool: pg.Pool): Promise<Map<string, { status: string; customerId: string }>> {
  const { rows } = await pool.query<{ id: string; type: string; customer: string | null }>(
    `select substr(stream_id, 7) as id, type, data->>'customerId' as customer from events
      where stream_id like 'order-%' and type = any($1) order by stream_id, stream_version`, [Object.keys(STATUS_OF)]);
  const out = new Map<string, { status: string; customerId: string }>();
  for (const r of rows) {
    const prev = out.get(r.id);
    out.set(r.id, { status: STATUS_OF[r.type] ?? '?', customerId: r.customer ?? prev?.customerId ?? '' });
  }
  return out;
}

/** Every acknowledged command left its event in the store (place → OrderPlaced, cancel → OrderCancelled, restock → StockRestocked). */
export async function ackedInStore(pool: pg.Pool, acked: readonly AckedCommand[], seededRestocks: number): Promise<CheckResult> {
  const { rows } = await pool.query<{ stream_id: string; type: string; n: string }>(
    "select stream_id, type, count(*) as n from events where type in ('OrderPlaced', 'OrderCancelled', 'StockRestocked') group by 1, 2");
  const count = new Map(rows.map((r) => [`${r.stream_id}/${r.type}`, Number(r.n)]));
  const lost: string[] = [];
  const restocks = new Map<string, number>();
  for (const c of acked) {
    if (c.kind === 'restock') restocks.set(c.id, (restocks.get(c.id) ?? 0) + 1);
    else if (!count.has(`order-${c.id}/${c.kind === 'place' ? 'OrderPlaced' : 'OrderCancelled'}`)) lost.push(`${c.kind} ${c.id}`);
  }
  for (const [sku, n] of restocks) {
    const stored = (count.get(`inventory-${sku}/StockRestocked`) ?? 0) - seededRestocks;
    if (stored < n) lost.push(`restock ${sku}: ${n} acknowledged, ${stored} stored`);
  }
  return { name: 'every acknowledged command is in the store', passed: lost.length === 0, summary: `${acked.length} acknowledged, ${lost.length} lost`, details: { lost: lost.slice(0, 20) } };
}

/** Every order reached a final status (confirmed, rejected, shipped or cancelled). */
export async function ordersFinal(pool: pg.Pool): Promise<CheckResult> {
  const statuses = await orderStatuses(pool);
  const open = [...statuses].filter(([, s]) => !FINAL.has(s.status)).map(([id, s]) => `${id}:${s.status}`);
  const byStatus: Record<string, number> = {};
  for (const s of statuses.values()) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  return { name: 'every order is final', passed: open.length === 0 && statuses.size > 0, summary: `${statuses.size} orders ${JSON.stringify(byStatus)}, ${open.length} not final`, details: { open: open.slice(0, 20), byStatus } };
}

/**
 * Stock is conserved: for every order and SKU, the units its reservations still hold (reserved −
 * released − committed) are its line quantity when the order is confirmed, and zero otherwise; no
 * SKU's on-hand or reserved count goes negative.
 */
export async function stockConserved(pool: pg.Pool): Promise<CheckResult> {
  const statuses = await orderStatuses(pool);
  const { rows: lines } = await pool.query<{ id: string; sku: string; qty: string }>(
    `select substr(stream_id, 7) as id, l->>'sku' as sku, sum((l->>'quantity')::int) as qty
       from events, jsonb_array_elements(data->'lines') l where type = 'OrderPlaced' group by 1, 2`);
  const { rows: held } = await pool.query<{ id: string; sku: string; held: string }>(
    `select data->>'orderId' as id, data->>'sku' as sku,
            sum(case type when 'StockReserved' then (data->>'quantity')::int else -(data->>'quantity')::int end) as held
       from events where type in ('StockReserved', 'StockReleased', 'StockCommitted') group by 1, 2`);
  const { rows: skus } = await pool.query<{ sku: string; on_hand: string; reserved: string }>(
    `select data->>'sku' as sku,
            sum(case type when 'StockRestocked' then (data->>'quantity')::int when 'StockAdjusted' then (data->>'delta')::int when 'StockCommitted' then -(data->>'quantity')::int else 0 end) as on_hand,
            sum(case type when 'StockReserved' then (data->>'quantity')::int when 'StockReleased' then -(data->>'quantity')::int when 'StockCommitted' then -(data->>'quantity')::int else 0 end) as reserved
       from events where stream_id like 'inventory-%' group by 1`);
  const heldBy = new Map(held.map((h) => [`${h.id}/${h.sku}`, Number(h.held)]));
  const wrong: string[] = [];
  for (const l of lines) {
    const status = statuses.get(l.id)?.status;
    const expected = status === 'CONFIRMED' ? Number(l.qty) : 0;
    const actual = heldBy.get(`${l.id}/${l.sku}`) ?? 0;
    if (status === 'SHIPPED') continue; // committed: held 0 and on-hand reduced, both covered by the sums below
    if (actual !== expected) wrong.push(`order ${l.id} ${l.sku} (${status}): holds ${actual}, expected ${expected}`);
  }
  for (const s of skus) if (Number(s.on_hand) < 0 || Number(s.reserved) < 0 || Number(s.reserved) > Number(s.on_hand)) wrong.push(`sku ${s.sku}: on hand ${s.on_hand}, reserved ${s.reserved}`);
  return { name: 'stock is conserved', passed: wrong.length === 0, summary: `${lines.length} order lines over ${skus.length} SKUs, ${wrong.length} wrong`, details: { wrong: wrong.slice(0, 20), skus } };
}

/** No order was charged twice: at most one granted hold and one capture per order at the gateway, and one of each event. */
export async function noDoubleCharge(pool: pg.Pool): Promise<CheckResult> {
  const { rows: gateway } = await pool.query<{ order_id: string; operation: string; n: string }>(
    `select order_id, operation, count(*) as n from sandbox_charges
      where (operation = 'authorise' and authorisation_id is not null) or operation = 'capture' group by 1, 2 having count(*) > 1`);
  const { rows: events } = await pool.query<{ stream_id: string; type: string; n: string }>(
    "select stream_id, type, count(*) as n from events where type in ('PaymentAuthorised', 'PaymentCaptured') group by 1, 2 having count(*) > 1");
  const { rows: total } = await pool.query<{ n: string }>("select count(*) as n from sandbox_charges where operation = 'authorise' and authorisation_id is not null");
  const twice = [...gateway.map((g) => `${g.order_id} ${g.operation} ×${g.n}`), ...events.map((e) => `${e.stream_id} ${e.type} ×${e.n}`)];
  return { name: 'no order is charged twice', passed: twice.length === 0, summary: `${total[0]?.n ?? 0} holds granted, ${twice.length} doubled`, details: { twice: twice.slice(0, 20) } };
}
