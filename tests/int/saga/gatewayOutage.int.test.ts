import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakerState } from '../../../command-side/payments/resilientGateway.ts';
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

/**
 * Length of the provider outage. The issue asks for 30 s, which is the default; set
 * ORDERFLOW_TEST_OUTAGE_MS to shorten it (e.g. 8000) for a quicker local loop. The file takes
 * about the window plus 10 s.
 */
const OUTAGE_MS = Number(process.env.ORDERFLOW_TEST_OUTAGE_MS ?? 30_000);
const HALF_OPEN_MS = 2000;

const place = (s: SagaStack, sku: string, quantity: number, token: string): Promise<string> => placeOrderFor(s, [{ sku, quantity }], token);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`payment gateway down for ${OUTAGE_MS / 1000} s: the breaker opens, orders wait, then all finish`, () => {
  let s: SagaStack;
  beforeAll(async () => {
    s = await startSagaStack('outage', {
      // Longer than the outage: orders placed in the window wait for the gateway rather than time out.
      timeoutMs: OUTAGE_MS + 60_000,
      resilience: { timeoutMs: 300, attempts: 2, initialDelayMs: 20, maxDelayMs: 100, breakerThreshold: 3, halfOpenAfterMs: HALF_OPEN_MS },
    });
  });
  afterAll(() => s?.stop());

  it('opens the breaker during the outage, charges nothing twice, and finishes every order after it', async () => {
    await seedProduct(s.handler, 'OUT-1', 1000, 100);
    // Before the outage: one order confirmed (captured), to be cancelled during it (refund must wait).
    const early = await place(s, 'OUT-1', 1, 'tok_visa');
    expect((await waitForStatus(s.handler, early, ['confirmed', 'rejected'])).status).toBe('confirmed');
    await waitUntil('early order captured', async () => (await paymentOf(s.handler, early)).status === 'captured');

    s.sandbox.setOutage(true);
    const outageStart = Date.now();
    const callsAtStart = s.sandbox.calls();
    const tokens = ['tok_visa', 'tok_visa', 'tok_mastercard', 'tok_declined'];
    const windowOrders: { orderId: string; token: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const token = tokens[i % tokens.length] as string;
      windowOrders.push({ orderId: await place(s, 'OUT-1', 1 + (i % 2), token), token });
    }
    await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).cancelOrder({ orderId: early, reason: 'ordered by mistake' }, testCtx());

    const states: BreakerState[] = [];
    let gaugeOpen = false;
    await waitUntil('breaker open', async () => s.saga?.breakerState() === 'open', 10_000, 50);
    // Keep placing orders through the window and watch the breaker.
    while (Date.now() - outageStart < OUTAGE_MS) {
      const i = windowOrders.length;
      const token = tokens[i % tokens.length] as string;
      windowOrders.push({ orderId: await place(s, 'OUT-1', 1 + (i % 2), token), token });
      const state = s.saga?.breakerState();
      if (state) states.push(state);
      const gauge = (await s.registry.getSingleMetric('orderflow_payment_breaker_state')?.get())?.values[0]?.value;
      gaugeOpen ||= gauge === 2;
      await sleep(Math.min(2000, OUTAGE_MS / 10));
    }
    // While the provider is down nothing moves: every order placed in the window still waits.
    const during = await Promise.all(windowOrders.map((o) => orderOf(s.handler, o.orderId)));
    expect(during.map((o) => o.status)).toEqual(windowOrders.map(() => 'placed'));
    expect((await orderOf(s.handler, early)).status).toBe('cancelled');
    expect((await paymentOf(s.handler, early)).status).toBe('captured'); // the refund waits too
    expect(states.length).toBeGreaterThan(0);
    expect(states).not.toContain('closed');
    expect(states).toContain('open');
    expect(gaugeOpen).toBe(true);
    // Calls do not pile up on the provider: the open circuit fails them fast, one trial per half-open.
    const calls = s.sandbox.calls();
    const reachedDuringOutage = calls.authorise + calls.refund - callsAtStart.authorise - callsAtStart.refund;
    const partitions = 3 * 3;
    expect(reachedDuringOutage).toBeLessThanOrEqual(6 + partitions * 2 * (Math.ceil(OUTAGE_MS / HALF_OPEN_MS) + 1));

    s.sandbox.setOutage(false);
    const recoveredAt = Date.now();
    for (const o of windowOrders) {
      const order = await waitForStatus(s.handler, o.orderId, ['confirmed', 'rejected'], 30_000);
      expect(order.status, o.token).toBe(o.token === 'tok_declined' ? 'rejected' : 'confirmed');
    }
    await waitUntil('refund after recovery', async () => (await paymentOf(s.handler, early)).status === 'refunded', 30_000);
    for (const o of windowOrders.filter((w) => w.token !== 'tok_declined')) {
      await waitUntil('captured', async () => (await paymentOf(s.handler, o.orderId)).status === 'captured', 30_000);
    }
    await waitUntil('breaker closed', async () => s.saga?.breakerState() === 'closed', 10_000);
    expect((await s.registry.getSingleMetric('orderflow_payment_breaker_state')?.get())?.values[0]?.value).toBe(0);
    await quiesce(s);
    console.info(`[outage] ${windowOrders.length} orders placed in a ${OUTAGE_MS} ms outage (${reachedDuringOutage} calls reached the provider), all final ${Date.now() - recoveredAt} ms after recovery`);

    // Nothing charged twice: one hold per order; captured once, or never for declined cards.
    for (const o of windowOrders) {
      const order = await orderOf(s.handler, o.orderId);
      const entry = s.sandbox.ledgerFor(o.orderId);
      if (o.token === 'tok_declined') {
        expect(entry).toBeUndefined();
        expect((await paymentOf(s.handler, o.orderId)).status).toBe('declined');
      } else {
        if (order.status === 'none') throw new Error(`order ${o.orderId} missing`);
        expect(entry).toMatchObject({ authorisations: 1, capturedMinor: order.totalMinor, voidedMinor: 0, refundedMinor: 0 });
      }
      const subject = o.token === 'tok_declined' ? `Order ${o.orderId} could not be accepted` : `Order ${o.orderId} confirmed`;
      await s.sink.waitFor((m) => m.subject === subject, 10_000);
      expect(uniqueMessageIds(mailsFor(s.sink, o.orderId)).size).toBe(1);
    }
    expect(s.sandbox.ledgerFor(early)).toMatchObject({ authorisations: 1, capturedMinor: 1000, refundedMinor: 1000 });
    const inv = await inventoryOf(s.handler, 'OUT-1');
    expect(heldUnits(inv)).toBe(inv.reserved);
    const confirmedUnits = windowOrders.filter((o) => o.token !== 'tok_declined').reduce((n, o) => n + (inv.reservations.get(o.orderId)?.quantity ?? 0), 0);
    expect(inv).toMatchObject({ onHand: 100, reserved: confirmedUnits });
  }, OUTAGE_MS + 90_000);
});
