import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUT_REASON } from '../../../command-side/saga/fulfilment.ts';
import { orderCommands } from '../../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../../command-side/payments/paymentVault.ts';
import { testCtx } from '../../support/eventStore.ts';
import { seedProduct } from '../../support/orders.ts';
import {
  heldUnits,
  inventoryOf,
  mailsFor,
  orderOf,
  paymentOf,
  quiesce,
  startSagaStack,
  uniqueMessageIds,
  waitForStatus,
  waitUntil,
  type SagaStack,
  placeOrderFor,
} from '../../support/saga.ts';

const FINAL = ['confirmed', 'rejected', 'cancelled', 'shipped'] as const;

/** Once the pipeline is idle: exactly one message per expected subject, and no other mail about the order. */
async function expectMails(s: SagaStack, orderId: string, subjects: string[]): Promise<void> {
  for (const subject of subjects) await s.sink.waitFor((m) => m.subject === subject, 15_000);
  await quiesce(s);
  const mails = mailsFor(s.sink, orderId);
  expect(mails.map((m) => m.subject).sort()).toEqual([...subjects].sort());
  expect(uniqueMessageIds(mails).size).toBe(subjects.length);
  for (const m of mails) expect(m.envelope.to).toEqual([`cust-${orderId.slice(0, 8)}@customers.orderflow.test`]);
}

/** Nothing leaked: `reserved` is exactly the held reservations. */
async function expectStock(s: SagaStack, sku: string, onHand: number, reserved: number): Promise<void> {
  const inv = await inventoryOf(s.handler, sku);
  expect({ onHand: inv.onHand, reserved: inv.reserved }).toEqual({ onHand, reserved });
  expect(heldUnits(inv)).toBe(inv.reserved);
}

async function timeoutRows(s: SagaStack, orderId: string): Promise<number> {
  const { rows } = await s.pool.query<{ n: string }>('select count(*) as n from saga_timeouts where order_id = $1', [orderId]);
  return Number(rows[0]?.n);
}

const place = placeOrderFor;

describe('fulfilment saga on the real stack (Postgres, Kafka, SMTP sink)', () => {
  let s: SagaStack;
  beforeAll(async () => {
    s = await startSagaStack('fulfil');
  });
  afterAll(() => s?.stop());

  it('happy path: stock held, payment captured, order confirmed, one confirmation mail', async () => {
    await seedProduct(s.handler, 'HAPPY-1', 1250, 10);
    const orderId = await place(s, [{ sku: 'HAPPY-1', quantity: 2 }], 'tok_visa');
    expect((await waitForStatus(s.handler, orderId, [...FINAL])).status).toBe('confirmed');
    await waitUntil('payment captured', async () => (await paymentOf(s.handler, orderId)).status === 'captured');
    await expectMails(s, orderId, [`Order ${orderId} confirmed`]);
    await expectStock(s, 'HAPPY-1', 10, 2);
    expect(s.sandbox.ledgerFor(orderId)).toMatchObject({ authorisations: 1, authorisedMinor: 2500, capturedMinor: 2500, voidedMinor: 0, refundedMinor: 0 });
    expect(await timeoutRows(s, orderId)).toBe(0);
    const inv = await inventoryOf(s.handler, 'HAPPY-1');
    expect(inv.reservations.get(orderId)).toEqual({ status: 'held', quantity: 2 });
  });

  it('declined payment: stock released, nothing charged, order rejected with the reason, one mail', async () => {
    await seedProduct(s.handler, 'DECL-1', 900, 5);
    const orderId = await place(s, [{ sku: 'DECL-1', quantity: 3 }], 'tok_declined');
    const order = await waitForStatus(s.handler, orderId, [...FINAL]);
    expect(order).toMatchObject({ status: 'rejected', reason: 'payment failed: card_declined' });
    await waitUntil('stock released', async () => (await inventoryOf(s.handler, 'DECL-1')).reservations.get(orderId)?.status === 'released');
    await expectMails(s, orderId, [`Order ${orderId} could not be accepted`]);
    await expectStock(s, 'DECL-1', 5, 0);
    expect((await paymentOf(s.handler, orderId)).status).toBe('declined');
    expect(s.sandbox.ledgerFor(orderId)).toBeUndefined();
    expect(await timeoutRows(s, orderId)).toBe(0);
    const mail = mailsFor(s.sink, orderId)[0];
    expect(mail?.text).toContain('Reason: payment failed: card_declined');
  });

  it('short stock: the other line is released, the authorisation voided, the order rejected, one mail', async () => {
    await seedProduct(s.handler, 'SHORT-A', 500, 5);
    await seedProduct(s.handler, 'SHORT-B', 700, 1);
    const orderId = await place(s, [{ sku: 'SHORT-A', quantity: 1 }, { sku: 'SHORT-B', quantity: 3 }], 'tok_visa');
    const order = await waitForStatus(s.handler, orderId, [...FINAL]);
    expect(order).toMatchObject({ status: 'rejected', reason: 'stock short: insufficient stock for SHORT-B' });
    await waitUntil('payment voided', async () => (await paymentOf(s.handler, orderId)).status === 'voided');
    await expectMails(s, orderId, [`Order ${orderId} could not be accepted`]);
    await expectStock(s, 'SHORT-A', 5, 0);
    await expectStock(s, 'SHORT-B', 1, 0);
    expect((await inventoryOf(s.handler, 'SHORT-A')).reservations.get(orderId)?.status).toBe('released');
    expect((await inventoryOf(s.handler, 'SHORT-B')).reservations.get(orderId)?.status).toBe('rejected');
    expect(s.sandbox.ledgerFor(orderId)).toMatchObject({ authorisations: 1, authorisedMinor: 2600, capturedMinor: 0, voidedMinor: 2600 });
    expect(await timeoutRows(s, orderId)).toBe(0);
  });

  it('cancel after confirm: stock released, payment refunded, one confirmation and one cancellation mail', async () => {
    await seedProduct(s.handler, 'CANCEL-1', 2000, 4);
    const orderId = await place(s, [{ sku: 'CANCEL-1', quantity: 1 }], 'tok_mastercard');
    expect((await waitForStatus(s.handler, orderId, [...FINAL])).status).toBe('confirmed');
    await waitUntil('payment captured', async () => (await paymentOf(s.handler, orderId)).status === 'captured');
    await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).cancelOrder({ orderId, reason: 'changed my mind' }, testCtx());
    await waitUntil('payment refunded', async () => (await paymentOf(s.handler, orderId)).status === 'refunded');
    await waitUntil('stock released', async () => (await inventoryOf(s.handler, 'CANCEL-1')).reservations.get(orderId)?.status === 'released');
    await expectMails(s, orderId, [`Order ${orderId} confirmed`, `Order ${orderId} cancelled`]);
    expect(await orderOf(s.handler, orderId)).toMatchObject({ status: 'cancelled', wasConfirmed: true });
    await expectStock(s, 'CANCEL-1', 4, 0);
    expect(s.sandbox.ledgerFor(orderId)).toMatchObject({ authorisations: 1, capturedMinor: 2000, refundedMinor: 2000, voidedMinor: 0 });
    expect(mailsFor(s.sink, orderId).find((m) => m.subject.endsWith('cancelled'))?.text).toContain('will be refunded');
  });

  it('ship after confirm: the held stock leaves the warehouse, one shipping mail', async () => {
    await seedProduct(s.handler, 'SHIP-1', 300, 6);
    const orderId = await place(s, [{ sku: 'SHIP-1', quantity: 2 }], 'tok_visa');
    expect((await waitForStatus(s.handler, orderId, [...FINAL])).status).toBe('confirmed');
    await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).shipOrder({ orderId }, testCtx());
    await waitUntil('stock committed', async () => (await inventoryOf(s.handler, 'SHIP-1')).reservations.get(orderId)?.status === 'committed');
    await expectMails(s, orderId, [`Order ${orderId} confirmed`, `Order ${orderId} shipped`]);
    await expectStock(s, 'SHIP-1', 4, 0);
    expect((await paymentOf(s.handler, orderId)).status).toBe('captured');
    expect(s.sandbox.ledgerFor(orderId)).toMatchObject({ authorisations: 1, capturedMinor: 600, refundedMinor: 0 });
  });

  it('exposes the breaker state as a gauge (closed while the gateway answers)', async () => {
    expect(s.saga?.breakerState()).toBe('closed');
    const metric = await s.registry.getSingleMetric('orderflow_payment_breaker_state')?.get();
    expect(metric?.values[0]?.value).toBe(0);
  });
});

describe('fulfilment saga: payment timeout (durable timeout, short SAGA timeout)', () => {
  let s: SagaStack;
  beforeAll(async () => {
    s = await startSagaStack('fulfil-timeout', { timeoutMs: 2000 });
  });
  afterAll(() => s?.stop());

  it('a payment that never answers: the order is rejected on time, stock released, nothing charged, one mail', async () => {
    await seedProduct(s.handler, 'SLOW-1', 1500, 3);
    const started = Date.now();
    const orderId = await place(s, [{ sku: 'SLOW-1', quantity: 2 }], 'tok_timeout');
    const order = await waitForStatus(s.handler, orderId, [...FINAL]);
    expect(order).toMatchObject({ status: 'rejected', reason: TIMEOUT_REASON });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    await waitUntil('stock released', async () => (await inventoryOf(s.handler, 'SLOW-1')).reservations.get(orderId)?.status === 'released');
    await expectMails(s, orderId, [`Order ${orderId} could not be accepted`]);
    await expectStock(s, 'SLOW-1', 3, 0);
    expect((await paymentOf(s.handler, orderId)).status).toBe('none');
    expect(s.sandbox.ledgerFor(orderId)).toBeUndefined();
    expect(s.sandbox.calls().authorise).toBeGreaterThanOrEqual(1);
    await waitUntil('timeout row cleared', async () => (await timeoutRows(s, orderId)) === 0);
    expect(mailsFor(s.sink, orderId)[0]?.text).toContain(`Reason: ${TIMEOUT_REASON}`);
  });

  it('an order placed after the slow one still goes through', async () => {
    await seedProduct(s.handler, 'AFTER-1', 100, 1);
    const orderId = await place(s, [{ sku: 'AFTER-1', quantity: 1 }], 'tok_visa');
    expect((await waitForStatus(s.handler, orderId, [...FINAL])).status).toBe('confirmed');
    await expectMails(s, orderId, [`Order ${orderId} confirmed`]);
  });
});
