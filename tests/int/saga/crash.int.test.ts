import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderState } from '../../../command-side/domain/order/order.ts';
import { orderCommands } from '../../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../../command-side/payments/paymentVault.ts';
import { createDurableSandboxGateway } from '../../../command-side/payments/durableSandboxGateway.ts';
import { spawnSaga, type ChildSaga } from '../../support/childSaga.ts';
import { testCtx } from '../../support/eventStore.ts';
import { seedProduct } from '../../support/orders.ts';
import { heldUnits, inventoryOf, mailsFor, orderOf, paymentOf, quiesce, startSagaStack, uniqueMessageIds, waitUntil, type SagaStack } from '../../support/saga.ts';

const ORDERS = 200;
const KILLS = 5;
const SKUS = ['CRASH-A', 'CRASH-B', 'CRASH-C', 'CRASH-D'];
const ON_HAND = 90;

interface Placed {
  orderId: string;
  lines: { sku: string; quantity: number }[];
  token: string;
}

function randomOrder(i: number): Placed {
  const skus = [...SKUS].sort(() => Math.random() - 0.5).slice(0, 1 + (i % 2));
  const lines = skus.map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 3) }));
  const token = i % 10 === 3 ? 'tok_declined' : i % 10 === 7 ? 'tok_mastercard' : 'tok_visa';
  return { orderId: randomUUID(), lines, token };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('saga worker SIGKILLed mid-flight (separate process, durable sandbox gateway)', () => {
  let s: SagaStack;
  let child: ChildSaga | undefined;
  beforeAll(async () => {
    s = await startSagaStack('crash', { withoutSaga: true });
  });
  afterAll(async () => {
    await child?.stop();
    await s?.stop();
  });

  it(`${ORDERS} concurrent orders, ${KILLS} kills: every order final, stock conserved, no double charge, one mail each`, async () => {
    for (const sku of SKUS) await seedProduct(s.handler, sku, 100 + SKUS.indexOf(sku) * 50, ON_HAND);
    const spawnOne = () => spawnSaga({ databaseUrl: s.databaseUrl, topicPrefix: s.prefix, env: { SAGA_TIMEOUT_MS: '45000', PAYMENT_SANDBOX_LATENCY_MS: '40' } });
    child = spawnOne();
    await child.ready();

    const orders = Array.from({ length: ORDERS }, (_, i) => randomOrder(i));
    const placing = inParallel(orders, 25, async (o) => {
      await orderCommands(s.handler, createPostgresPaymentVault(s.pool)).placeOrder(
        { orderId: o.orderId, customerId: `cust-${o.orderId.slice(0, 8)}`, lines: o.lines, paymentToken: o.token, shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' } },
        testCtx(),
      );
    });

    const kills: string[] = [];
    const finalAtKill: number[] = [];
    for (let k = 1; k <= KILLS; k++) {
      await sleep(700 + Math.floor(Math.random() * 1300));
      const final = await countFinal(s, orders);
      await child.kill();
      const { rows } = await s.pool.query<{ n: string }>("select count(*) as n from events where source = 'orderflow/saga'");
      kills.push(`kill ${k}: ${final}/${ORDERS} final, ${rows[0]?.n} saga events`);
      finalAtKill.push(final);
      child = spawnOne();
      await child.ready(40_000);
    }
    await placing;
    // Every kill landed mid-flight: orders were still open when it struck.
    expect(finalAtKill.every((n) => n < ORDERS), kills.join('; ')).toBe(true);

    let progress = '';
    const states = await waitUntil('every order final and compensated', async () => {
      const all = await Promise.all(orders.map((o) => orderOf(s.handler, o.orderId)));
      const open = Number((await s.pool.query<{ n: string }>('select count(*) as n from saga_timeouts')).rows[0]?.n);
      const leaks: string[] = [];
      for (const sku of SKUS) {
        const inv = await inventoryOf(s.handler, sku);
        const confirmedUnits = orders.flatMap((o, i) => (all[i]?.status === 'confirmed' ? o.lines.filter((l) => l.sku === sku) : [])).reduce((n, l) => n + l.quantity, 0);
        if (inv.reserved !== confirmedUnits) leaks.push(`${sku} reserved ${inv.reserved} vs confirmed ${confirmedUnits}`);
      }
      const payments = await Promise.all(orders.map((o) => paymentOf(s.handler, o.orderId)));
      const unsettled = payments.filter((p, i) => (all[i]?.status === 'confirmed' ? p.status !== 'captured' : !['declined', 'voided', 'none'].includes(p.status))).length;
      const open_ = all.filter((o) => o.status !== 'confirmed' && o.status !== 'rejected').length;
      progress = `open orders ${open_}, timeout rows ${open}, stock ${leaks.join(', ') || 'ok'}, unsettled payments ${unsettled}`;
      return open_ === 0 && open === 0 && leaks.length === 0 && unsettled === 0 ? all : false;
    }, 90_000, 500).catch((e: unknown) => {
      const problems = child?.tail(500).filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(-20) ?? [];
      throw new Error(`${e instanceof Error ? e.message : String(e)}: ${progress}\n${kills.join('\n')}\n${problems.join('\n')}`);
    });
    await quiesce(s, 30_000);
    console.info(`[crash] ${kills.join('; ')}; confirmed ${states.filter((o) => o.status === 'confirmed').length}, rejected ${states.filter((o) => o.status === 'rejected').length}`);

    // Stock is conserved: on hand untouched (nothing shipped), reserved = held = units of confirmed orders.
    for (const sku of SKUS) {
      const inv = await inventoryOf(s.handler, sku);
      expect(inv.onHand, sku).toBe(ON_HAND);
      expect(heldUnits(inv), sku).toBe(inv.reserved);
      expect(inv.reserved, sku).toBeLessThanOrEqual(inv.onHand);
      for (const [orderId, r] of inv.reservations) {
        const i = orders.findIndex((o) => o.orderId === orderId);
        const state = states[i] as OrderState;
        const quantity = orders[i]?.lines.find((l) => l.sku === sku)?.quantity;
        expect(r.quantity, `${sku} ${orderId}`).toBe(quantity);
        if (state.status === 'confirmed') expect(r.status, `${sku} ${orderId}`).toBe('held');
        else expect(['released', 'rejected'], `${sku} ${orderId}`).toContain(r.status);
      }
    }

    // No double charge: one hold at most per order, captured once for confirmed orders, released otherwise.
    const ledger = await createDurableSandboxGateway({ pool: s.pool }).ledger();
    const byOrder = new Map(ledger.map((e) => [e.orderId, e]));
    for (const [i, o] of orders.entries()) {
      const state = states[i] as OrderState;
      const entry = byOrder.get(o.orderId);
      const payment = await paymentOf(s.handler, o.orderId);
      expect(entry?.authorisations ?? 0, o.orderId).toBeLessThanOrEqual(1);
      if (state.status === 'confirmed') {
        expect(payment.status).toBe('captured');
        expect(entry).toMatchObject({ authorisations: 1, capturedMinor: state.totalMinor, voidedMinor: 0, refundedMinor: 0 });
      } else {
        expect(['none', 'declined', 'voided']).toContain(payment.status);
        expect(entry?.capturedMinor ?? 0).toBe(0);
        expect(entry?.voidedMinor ?? 0).toBe(entry?.authorisedMinor ?? 0);
      }
      if (o.token === 'tok_declined') expect(state.status).toBe('rejected');
    }
    const charges = await s.pool.query<{ order_id: string; operation: string; n: string }>(
      "select order_id, operation, count(*) as n from sandbox_charges group by 1, 2 having count(*) > 1",
    );
    expect(charges.rows).toEqual([]);

    // Every event happened once per stream, and each order got exactly one mail.
    const dupes = await s.pool.query<{ stream_id: string; type: string; n: string }>(
      "select stream_id, type, count(*) as n from events where stream_id like 'order-%' or stream_id like 'payment-%' group by 1, 2 having count(*) > 1",
    );
    expect(dupes.rows).toEqual([]);
    for (const [i, o] of orders.entries()) {
      const subject = (states[i] as OrderState).status === 'confirmed' ? `Order ${o.orderId} confirmed` : `Order ${o.orderId} could not be accepted`;
      await s.sink.waitFor((m) => m.subject === subject, 10_000);
      expect(uniqueMessageIds(mailsFor(s.sink, o.orderId)).size, o.orderId).toBe(1);
    }
  }, 180_000);
});

async function countFinal(s: SagaStack, orders: Placed[]): Promise<number> {
  const { rows } = await s.pool.query<{ n: string }>(
    "select count(distinct stream_id) as n from events where type in ('OrderConfirmed', 'OrderRejected') and stream_id = any($1)",
    [orders.map((o) => `order-${o.orderId}`)],
  );
  return Number(rows[0]?.n);
}
