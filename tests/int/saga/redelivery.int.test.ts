import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderCommands } from '../../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../../command-side/payments/paymentVault.ts';
import { EVENT_COLUMNS, type EventRow } from '../../../command-side/eventStore/sql/storedEvent.ts';
import { rowToWireEvent } from '../../../command-side/outbox/wireEvent.ts';
import { sagaTopics } from '../../../command-side/saga/runtime/sagaWorker.ts';
import { encodeEvent } from '../../../messaging/codec.ts';
import { familyTopic } from '../../../messaging/topics.ts';
import { testCtx } from '../../support/eventStore.ts';
import { collect, type Collected } from '../../support/kafkaCollector.ts';
import { seedProduct } from '../../support/orders.ts';
import { inventoryOf, orderOf, paymentOf, quiesce, startSagaStack, waitForStatus, waitUntil, placeOrderFor, type SagaStack } from '../../support/saga.ts';

const place = placeOrderFor;

/** Everything the saga and the notifier could change, in a comparable form. */
async function snapshot(s: SagaStack, orderIds: string[], skus: string[]) {
  const count = async (sql: string) => Number((await s.pool.query<{ n: string }>(sql)).rows[0]?.n);
  const inventories = await Promise.all(skus.map(async (sku) => {
    const inv = await inventoryOf(s.handler, sku);
    return { sku, onHand: inv.onHand, reserved: inv.reserved, reservations: [...inv.reservations.entries()].sort() };
  }));
  return {
    events: await count('select count(*) as n from events'),
    timeouts: await count('select count(*) as n from saga_timeouts'),
    notificationsSent: await count('select count(*) as n from notifications_sent'),
    orders: await Promise.all(orderIds.map((id) => orderOf(s.handler, id))),
    payments: await Promise.all(orderIds.map((id) => paymentOf(s.handler, id))),
    inventories,
    ledger: s.sandbox.ledger(),
    gatewayCalls: s.sandbox.calls(),
    mails: s.sink.messages().map((m) => m.messageId),
  };
}

/** Produces an exact copy (key, value, headers) of each collected message to its topic, in order. */
async function redeliver(producer: Producer, messages: Collected[]): Promise<void> {
  for (const m of messages) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.headers)) if (v !== undefined) headers[k] = v;
    await producer.send({ topic: m.topic, acks: -1, messages: [{ key: m.key, value: m.value, headers }] });
  }
}

describe('saga and notifier: a Kafka message delivered twice changes nothing the second time', () => {
  let s: SagaStack;
  let producer: Producer;
  const skus = ['REDO-A', 'REDO-B'];
  beforeAll(async () => {
    s = await startSagaStack('redeliver', { sandboxLatencyMs: 150 });
    producer = s.kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await s?.stop();
  });

  it('replaying every published event of finished orders (confirmed, declined, short, cancelled) is a no-op', async () => {
    await seedProduct(s.handler, 'REDO-A', 1000, 10);
    await seedProduct(s.handler, 'REDO-B', 400, 1);
    const confirmed = await place(s, [{ sku: 'REDO-A', quantity: 2 }], 'tok_visa');
    const declined = await place(s, [{ sku: 'REDO-A', quantity: 1 }], 'tok_declined');
    const short = await place(s, [{ sku: 'REDO-A', quantity: 1 }, { sku: 'REDO-B', quantity: 2 }], 'tok_visa');
    const cancelled = await place(s, [{ sku: 'REDO-A', quantity: 1 }], 'tok_visa');
    await waitForStatus(s.handler, cancelled, ['confirmed']);
    await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).cancelOrder({ orderId: cancelled, reason: 'no longer needed' }, testCtx());
    const orderIds = [confirmed, declined, short, cancelled];
    for (const id of orderIds) await waitForStatus(s.handler, id, ['confirmed', 'rejected', 'cancelled']);
    await waitUntil('cancelled order refunded', async () => (await paymentOf(s.handler, cancelled)).status === 'refunded');
    await waitUntil('short order voided', async () => (await paymentOf(s.handler, short)).status === 'voided');
    await quiesce(s);
    const before = await snapshot(s, orderIds, skus);
    expect(before.mails).toHaveLength(5); // confirmed, rejected ×2, confirmed + cancelled
    expect(before.timeouts).toBe(0);

    const topics = sagaTopics(s.prefix);
    const published = (await s.pool.query<{ n: string }>("select count(*) as n from events where stream_id not like 'product-%'")).rows[0]?.n;
    const collector = await collect(s.kafka, topics);
    await collector.waitFor((all) => all.length >= Number(published), 20_000);
    const copies = [...collector.messages];
    await collector.stop();
    expect(copies.length).toBe(Number(published));

    await redeliver(producer, copies);
    await quiesce(s);
    const after = await snapshot(s, orderIds, skus);
    expect(after).toEqual(before);
  });

  it('copies of OrderPlaced arriving while the order is still in flight reserve and charge once', async () => {
    await seedProduct(s.handler, 'REDO-C', 250, 3);
    const orderId = await place(s, [{ sku: 'REDO-C', quantity: 3 }], 'tok_visa');
    // The stored event, encoded exactly as the relay publishes it, sent twice more at once.
    const { rows } = await s.pool.query<EventRow>(`select ${EVENT_COLUMNS} from events where stream_id = $1 and stream_version = 1`, [`order-${orderId}`]);
    const row = rows[0];
    if (!row) throw new Error('OrderPlaced not stored');
    const copy = encodeEvent(rowToWireEvent(row), Date.now());
    await producer.send({ topic: familyTopic(s.prefix, 'orders'), acks: -1, messages: [copy, copy] });
    expect((await waitForStatus(s.handler, orderId, ['confirmed', 'rejected'])).status).toBe('confirmed');
    await waitUntil('captured', async () => (await paymentOf(s.handler, orderId)).status === 'captured');
    await quiesce(s);
    const inv = await inventoryOf(s.handler, 'REDO-C');
    expect({ onHand: inv.onHand, reserved: inv.reserved }).toEqual({ onHand: 3, reserved: 3 });
    expect(s.sandbox.ledgerFor(orderId)).toMatchObject({ authorisations: 1, capturedMinor: 750 });
    const counts = await s.pool.query<{ type: string; n: string }>(
      'select type, count(*) as n from events where stream_id in ($1, $2, $3) group by type order by type',
      [`order-${orderId}`, `payment-${orderId}`, 'inventory-REDO-C'],
    );
    expect(counts.rows.map((r) => r.type)).toContain('StockReserved');
    for (const r of counts.rows) expect(r.n, r.type).toBe('1');
    expect(s.sink.messages().filter((m) => m.subject === `Order ${orderId} confirmed`)).toHaveLength(1);
  });
});

