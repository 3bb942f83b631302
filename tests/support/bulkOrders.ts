import { randomUUID } from 'node:crypto';
import { CURRENT_VERSION, type DomainEvent } from '../../contracts/events/index.ts';
import type { Pool } from 'pg';
import type { EventStore, NewEvent } from '../../command-side/eventStore/eventStore.ts';

/** Options of {@link seedOrderHistory}. */
export interface SeedOptions {
  /** Stop once at least this many events are stored. */
  events: number;
  /** Orders are spread over this many customers `c-0 … c-(n-1)`. @default 500 */
  customers?: number;
  /** Parallel appends. @default 12 */
  concurrency?: number;
  /** Time of the first order; each next order is one second later. @default 2025-01-01T00:00:00Z */
  start?: Date;
}

/** What {@link seedOrderHistory} stored: per customer, how many orders. */
export interface SeededHistory {
  events: number;
  orders: number;
  ordersByCustomer: Map<string, number>;
}

const SKUS = Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${i}`, price: 100 + i * 37 }));

/** A realistic, deterministic order life for order number `i` (4–6 events; every 11th is rejected). */
export function orderLifeFor(i: number, customerId: string, at: Date): DomainEvent[] {
  const orderId = `seed-${i}`;
  const t = (s: number) => new Date(at.getTime() + s * 1000).toISOString();
  const lines = [0, 1].slice(0, 1 + (i % 2)).map((k) => {
    const p = SKUS[(i + k * 7) % SKUS.length] ?? { sku: 'SKU-0', price: 100 };
    const quantity = 1 + ((i + k) % 3);
    return { sku: p.sku, quantity, unitPriceMinor: p.price, lineTotalMinor: quantity * p.price };
  });
  const totalMinor = lines.reduce((s, l) => s + l.lineTotalMinor, 0);
  const currency = i % 4 === 0 ? 'USD' : 'EUR';
  const placed: DomainEvent = {
    type: 'OrderPlaced',
    data: { orderId, customerId, currency, lines, totalMinor, shippingAddress: { line1: `${i} Main St`, city: 'Lyon', postalCode: '69001', country: 'FR' }, paymentRef: 'pm_test', placedAt: t(0) },
  };
  if (i % 11 === 0) {
    return [placed, { type: 'OrderStockShort', data: { orderId, reason: 'short' } }, { type: 'OrderRejected', data: { orderId, customerId, reason: 'out of stock', rejectedAt: t(2) } }];
  }
  const life: DomainEvent[] = [
    placed,
    { type: 'OrderStockReserved', data: { orderId } },
    { type: 'OrderPaymentAuthorised', data: { orderId, authorisationId: `auth-${i}` } },
    { type: 'OrderConfirmed', data: { orderId, customerId, currency, totalMinor, confirmedAt: t(3) } },
  ];
  if (i % 5 === 0) life.push({ type: 'OrderShipped', data: { orderId, shippedAt: t(4) } });
  else if (i % 7 === 0) life.push({ type: 'OrderCancelled', data: { orderId, customerId, reason: 'changed mind', wasConfirmed: true, currency, totalMinor, cancelledAt: t(5) } });
  return life;
}

/** Envelope fields for a stored event (ids and time supplied here: test data, not domain code). */
export function newEvent(e: DomainEvent, occurredAt: string): NewEvent {
  return {
    eventId: randomUUID(), type: e.type, version: CURRENT_VERSION[e.type], data: e.data, metadata: {},
    source: 'test/seed', correlationId: randomUUID(), causationId: null, traceparent: null, occurredAt,
  };
}

/**
 * Stores a large order history fast: each order's whole life is one multi-row append to its
 * stream (`store.append`), many orders in parallel.
 */
export async function seedOrderHistory(store: EventStore, opts: SeedOptions): Promise<SeededHistory> {
  const customers = opts.customers ?? 500;
  const start = opts.start ?? new Date('2025-01-01T00:00:00Z');
  const ordersByCustomer = new Map<string, number>();
  let events = 0;
  let orders = 0;
  let next = 0;
  const worker = async () => {
    while (events < opts.events) {
      const i = next++;
      const customerId = `c-${i % customers}`;
      const at = new Date(start.getTime() + i * 1000);
      const life = orderLifeFor(i, customerId, at);
      events += life.length;
      orders++;
      ordersByCustomer.set(customerId, (ordersByCustomer.get(customerId) ?? 0) + 1);
      const r = await store.append(`order-seed-${i}`, 0, life.map((e, k) => newEvent(e, new Date(at.getTime() + k * 1000).toISOString())));
      if (!r.ok) throw new Error(`seed append failed: ${JSON.stringify(r)}`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 12 }, worker));
  return { events, orders, ordersByCustomer };
}

/** One multi-row insert of event rows, column by column (`unnest` of arrays). */
export const INSERT_EVENTS = `insert into events (event_id, stream_id, stream_version, type, version, data, metadata, source, correlation_id, causation_id, traceparent, occurred_at)
  select * from unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])`;

/** One row for {@link insertEventRows}: an event of a stream at a version. */
export interface EventRow {
  streamId: string;
  streamVersion: number;
  event: DomainEvent;
  occurredAt: string;
}

/**
 * Inserts event rows straight into the store's `events` table, one multi-row statement (one
 * transaction) per call: seeding large logs for rebuild tests and benchmarks in seconds, without
 * the command path. The caller keeps versions consecutive per stream.
 */
export async function insertEventRows(pool: Pool, rows: readonly EventRow[]): Promise<void> {
  const cols: [string[], string[], number[], string[], number[], string[], string[], string[], string[], (string | null)[], (string | null)[], string[]] = [[], [], [], [], [], [], [], [], [], [], [], []];
  for (const r of rows) {
    const e = newEvent(r.event, r.occurredAt);
    cols[0].push(e.eventId); cols[1].push(r.streamId); cols[2].push(r.streamVersion); cols[3].push(e.type); cols[4].push(e.version);
    cols[5].push(JSON.stringify(e.data)); cols[6].push('{}'); cols[7].push(e.source); cols[8].push(e.correlationId); cols[9].push(null); cols[10].push(null); cols[11].push(r.occurredAt);
  }
  await pool.query(INSERT_EVENTS, cols);
}

/**
 * Stores at least `events` events of {@link orderLifeFor} orders fast, by bulk inserts of `block`
 * orders at a time whose lives interleave (every order's first event, then every second one, …,
 * as a saga's steps interleave), one second apart per order.
 */
export async function bulkInsertOrderHistory(pool: Pool, opts: { events: number; customers?: number; block?: number; start?: Date }): Promise<SeededHistory> {
  const customers = opts.customers ?? 500;
  const block = opts.block ?? 250;
  const start = opts.start ?? new Date('2025-01-01T00:00:00Z');
  const ordersByCustomer = new Map<string, number>();
  let events = 0;
  let orders = 0;
  while (events < opts.events) {
    const lives = Array.from({ length: block }, (_, k) => {
      const i = orders + k;
      const customerId = `c-${i % customers}`;
      ordersByCustomer.set(customerId, (ordersByCustomer.get(customerId) ?? 0) + 1);
      const at = new Date(start.getTime() + i * 1000);
      return { i, at, life: orderLifeFor(i, customerId, at) };
    });
    const rows: EventRow[] = [];
    for (let step = 0; step < 6; step++) {
      for (const { i, at, life } of lives) {
        const event = life[step];
        if (event) rows.push({ streamId: `order-seed-${i}`, streamVersion: step + 1, event, occurredAt: new Date(at.getTime() + step * 1000).toISOString() });
      }
    }
    await insertEventRows(pool, rows);
    events += rows.length;
    orders += block;
  }
  return { events, orders, ordersByCustomer };
}
