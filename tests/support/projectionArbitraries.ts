// Test-only fast-check generators: a global event log of order and inventory streams, and
// at-least-once deliveries of it (redelivery from older offsets, stray duplicates).
import fc from 'fast-check';
import type { EventEnvelope, DomainEvent } from '../../contracts/index.ts';
import { orderCancelled, orderConfirmed, orderPlaced, stream, type LineInput } from './projectionFixtures.ts';

/** The shape of one generated order's life. */
export interface OrderSpec {
  customerId: string;
  currency: string;
  lines: LineInput[];
  placedDay: number;
  confirmNextDay: boolean;
  stockOk: boolean;
  paymentOk: boolean;
  stockFirst: boolean;
  ending: 'none' | 'shipped' | 'cancelled' | 'cancelledEarly';
}

const orderSpecArb: fc.Arbitrary<OrderSpec> = fc.record({
  customerId: fc.constantFrom('c1', 'c2'),
  currency: fc.constantFrom('EUR', 'USD'),
  lines: fc.array(
    fc.record({ sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 5 }), unitPriceMinor: fc.integer({ min: 0, max: 10_000 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  placedDay: fc.integer({ min: 1, max: 3 }),
  confirmNextDay: fc.boolean(),
  stockOk: fc.boolean(),
  paymentOk: fc.boolean(),
  stockFirst: fc.boolean(),
  ending: fc.constantFrom('none', 'shipped', 'cancelled', 'cancelledEarly'),
});

const HOUR = 3_600_000;

/** The events of one order stream, following the saga's possible paths. */
export function orderLife(orderId: string, s: OrderSpec): DomainEvent[] {
  const placedMs = Date.parse(`2024-03-0${s.placedDay}T10:00:00.000Z`);
  const at = (hours: number): string => new Date(placedMs + hours * HOUR).toISOString();
  const placed = orderPlaced(orderId, { customerId: s.customerId, currency: s.currency, lines: s.lines, placedAt: at(0) });
  const total = placed.data.totalMinor;
  if (s.ending === 'cancelledEarly') return [placed, orderCancelled(orderId, total, false, at(0.5), s.currency)];
  const stock: DomainEvent = s.stockOk
    ? { type: 'OrderStockReserved', data: { orderId } }
    : { type: 'OrderStockShort', data: { orderId, reason: 'short' } };
  const payment: DomainEvent = s.paymentOk
    ? { type: 'OrderPaymentAuthorised', data: { orderId, authorisationId: `au-${orderId}` } }
    : { type: 'OrderPaymentFailed', data: { orderId, reason: 'declined' } };
  const facts = s.stockFirst ? [stock, payment] : [payment, stock];
  if (!s.stockOk || !s.paymentOk) {
    return [placed, ...facts, { type: 'OrderRejected', data: { orderId, customerId: s.customerId, reason: 'saga', rejectedAt: at(1) } }];
  }
  const life: DomainEvent[] = [placed, ...facts, orderConfirmed(orderId, total, at(s.confirmNextDay ? 14 : 1), s.currency)];
  if (s.ending === 'shipped') life.push({ type: 'OrderShipped', data: { orderId, shippedAt: at(20) } });
  if (s.ending === 'cancelled') life.push(orderCancelled(orderId, total, true, at(30), s.currency));
  return life;
}

type StockStep = { kind: 'adjust' | 'reserve' | 'reject' | 'release' | 'commit'; qty: number };
const stockStepArb: fc.Arbitrary<StockStep> = fc.record({
  kind: fc.constantFrom('adjust', 'reserve', 'reject', 'release', 'commit'),
  qty: fc.integer({ min: 1, max: 9 }),
});

/** The events of one inventory stream: a restock, then arbitrary movements. */
export function stockLife(sku: string, restock: number, steps: readonly StockStep[]): DomainEvent[] {
  const first: DomainEvent = { type: 'StockRestocked', data: { sku, quantity: restock } };
  return [
    first,
    ...steps.map((st, i): DomainEvent => {
      const orderId = `o-${i}`;
      switch (st.kind) {
        case 'adjust':
          return { type: 'StockAdjusted', data: { sku, delta: i % 2 === 0 ? st.qty : -st.qty, reason: 'count' } };
        case 'reserve':
          return { type: 'StockReserved', data: { sku, orderId, quantity: st.qty } };
        case 'reject':
          return { type: 'StockReservationRejected', data: { sku, orderId, quantity: st.qty, available: 0 } };
        case 'release':
          return { type: 'StockReleased', data: { sku, orderId, quantity: st.qty } };
        case 'commit':
          return { type: 'StockCommitted', data: { sku, orderId, quantity: st.qty } };
      }
    }),
  ];
}

/** Merges streams into one log, keeping each stream's order (as the event store does). */
function merge(streams: EventEnvelope[][], picks: readonly number[]): EventEnvelope[] {
  const queues = streams.map((s) => [...s]).filter((q) => q.length > 0);
  const log: EventEnvelope[] = [];
  for (let i = 0; queues.length > 0; i++) {
    const qi = (picks[i % Math.max(picks.length, 1)] ?? 0) % queues.length;
    const q = queues[qi];
    const next = q?.shift();
    if (next) log.push(next);
    if (!q || q.length === 0) queues.splice(qi, 1);
  }
  return log;
}

/** A global log of 1..5 orders and 1..3 SKUs' inventory, interleaved. */
export const logArb: fc.Arbitrary<EventEnvelope[]> = fc
  .record({
    orders: fc.array(orderSpecArb, { minLength: 1, maxLength: 5 }),
    stock: fc.array(fc.record({ restock: fc.integer({ min: 1, max: 50 }), steps: fc.array(stockStepArb, { maxLength: 6 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    picks: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
  })
  .map(({ orders, stock, picks }) =>
    merge(
      [
        ...orders.map((o, i) => stream(`order-o${i}`, orderLife(`o${i}`, o))),
        ...stock.map((s, i) => stream(`inventory-S${i}`, stockLife(`S${i}`, s.restock, s.steps))),
      ],
      picks,
    ),
  );

/** How the live projector sees the log, and whether a replay races it. */
export interface Delivery {
  withReplay: boolean;
  start: number;
  choices: number[];
  interleave: boolean[];
}

/** Random deliveries; `start` is reduced modulo the log length by {@link liveDeliveries}. */
export const deliveryArb: fc.Arbitrary<Delivery> = fc.record({
  withReplay: fc.boolean(),
  start: fc.nat(),
  choices: fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 200 }),
  interleave: fc.array(fc.boolean(), { maxLength: 600 }),
});

/**
 * What the live consumer receives: the log from `start` (0 without a replay, since then it
 * is the only writer) in order, sometimes rewinding to an older offset (crash before
 * commit) or re-receiving an already delivered event. Always ends with the log's tail.
 */
export function liveDeliveries(log: readonly EventEnvelope[], d: Delivery): EventEnvelope[] {
  const start = d.withReplay ? d.start % (log.length + 1) : 0;
  const out: EventEnvelope[] = [];
  let pos = start;
  for (let i = 0; pos < log.length && i < 3 * log.length; i++) {
    const c = d.choices[i % d.choices.length] ?? 50;
    const dup = out[(c * 31) % Math.max(out.length, 1)];
    if (c < 8 && pos > start) pos = start + ((c * 7919) % (pos - start));
    else if (c < 16 && dup) out.push(dup);
    else out.push(log[pos++] as EventEnvelope);
  }
  while (pos < log.length) out.push(log[pos++] as EventEnvelope);
  return out;
}
