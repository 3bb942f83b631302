import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEnvelope, type EventEnvelope } from '../../contracts/envelope.ts';
import type { DomainEvent } from '../../contracts/events/registry.ts';
import { orderDecider } from '../domain/aggregate.ts';
import { DomainError } from '../domain/errors.ts';
import type { OrderState } from '../domain/order/order.ts';
import { createResilientGateway } from '../payments/resilientGateway.ts';
import { createSandboxGateway } from '../payments/sandboxGateway.ts';
import { SagaContextError, type SagaContext } from './context.ts';
import { onTimeout, react, settleFromFacts, TIMEOUT_REASON } from './fulfilment.ts';
import type { SagaStep } from './steps.ts';
import { createTestWorld, type TestWorld } from '../../tests/support/sagaTestWorld.ts';

const prices = { 'SKU-A': 1250, 'SKU-B': 499, 'SKU-C': 10_000 };
const TIMEOUT_MS = 15 * 60_000;

function world(stock: Record<string, number>, extra: Partial<Parameters<typeof createTestWorld>[0]> = {}): TestWorld {
  return createTestWorld({ stock, prices, timeoutMs: TIMEOUT_MS, ...extra });
}

const env = (event: DomainEvent, streamId = 'order-o1', streamVersion = 1): EventEnvelope =>
  makeEnvelope({ event, eventId: `${streamId}#${streamVersion}`, streamId, streamVersion, occurredAt: '2025-03-01T10:00:00.000Z', correlationId: 'c' });

const heldOf = (w: TestWorld, sku: string, orderId: string) => w.inventory(sku).reservations.get(orderId)?.status ?? 'none';

/** Delivers every other stream's events while `blocked` (the head of its stream) keeps failing. */
async function drainExcept(w: TestWorld, blocked: EventEnvelope): Promise<void> {
  for (;;) {
    const next = w.heads().find((h) => h !== blocked);
    if (!next) return;
    await w.deliver(next);
  }
}

/** Acknowledges an event without (finishing) its steps: the runtime handed the rest to a retry queue. */
function ack(w: TestWorld, e: EventEnvelope): void {
  w.pending.splice(w.pending.indexOf(e), 1);
}

async function timeoutIsDue(w: TestWorld, orderId: string): Promise<void> {
  const due = w.timeouts.get(orderId);
  if (!due) throw new Error(`no timeout row for ${orderId}`);
  w.advance(Date.parse(due) - Date.parse(w.now()));
  expect(w.now() >= due).toBe(true);
}

describe('fulfilment saga: flows through the real deciders and the sandbox gateway', () => {
  it('happy path: reserve ∥ authorise → confirm → capture → ship commits stock', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }], 'tok_visa');

    const placed = w.pending[0] as EventEnvelope;
    expect(react(placed, w.context('o1'))).toEqual<SagaStep[]>([
      { kind: 'scheduleTimeout', orderId: 'o1', dueAt: '2025-03-01T10:15:00.000Z' },
      { kind: 'inventory', sku: 'SKU-A', command: { type: 'ReserveStock', data: { sku: 'SKU-A', orderId: 'o1', quantity: 2 } } },
      { kind: 'inventory', sku: 'SKU-B', command: { type: 'ReserveStock', data: { sku: 'SKU-B', orderId: 'o1', quantity: 1 } } },
      { kind: 'authorise', orderId: 'o1', amountMinor: 2999, currency: 'EUR', paymentRef: 'pm_o1', idempotencyKey: 'payment:authorise:o1' },
    ]);

    await w.drain();
    const order = w.order('o1');
    expect(order).toMatchObject({ status: 'confirmed', stock: 'reserved', payment: 'authorised' });
    expect(w.payment('o1').status).toBe('captured');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ authorisations: 1, authorisedMinor: 2999, capturedMinor: 2999 });
    expect(w.timeouts.size).toBe(0);
    expect(w.log.map((e) => e.type)).toContain('OrderConfirmed');

    w.handle(orderDecider, 'o1', { type: 'ShipOrder', data: { orderId: 'o1', now: w.now() } });
    await w.drain();
    expect(w.order('o1').status).toBe('shipped');
    expect(heldOf(w, 'SKU-A', 'o1')).toBe('committed');
    expect(w.inventory('SKU-A')).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('declined payment: rejected with the reason, stock released, nothing charged', async () => {
    const w = world({ 'SKU-A': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }], 'tok_declined');
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'rejected', reason: 'payment failed: card_declined' });
    expect(heldOf(w, 'SKU-A', 'o1')).toBe('released');
    expect(w.inventory('SKU-A').reserved).toBe(0);
    expect(w.payment('o1').status).toBe('declined');
    expect(w.gateway.ledger()).toEqual([]);
    expect(w.timeouts.size).toBe(0);
  });

  it('short stock: rejected, the other lines released, the hold voided', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 1 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 3 }], 'tok_visa');
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'rejected', reason: 'stock short: insufficient stock for SKU-B' });
    expect(heldOf(w, 'SKU-A', 'o1')).toBe('released');
    expect(heldOf(w, 'SKU-B', 'o1')).toBe('rejected');
    expect(w.payment('o1').status).toBe('voided');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ authorisedMinor: 3997, voidedMinor: 3997, capturedMinor: 0 });
    expect(w.timeouts.size).toBe(0);
  });

  it('timeout: a provider that never answers leads to rejection and compensation', async () => {
    const sandbox = createSandboxGateway();
    const front = createResilientGateway(sandbox, { timeoutMs: 10, attempts: 2, initialDelayMs: 1 });
    const w = world({ 'SKU-A': 5 }, { gateway: sandbox, front });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }], 'tok_timeout');
    const placed = w.pending[0] as EventEnvelope;
    // The runtime cannot finish OrderPlaced: the authorise step keeps timing out, so the event stays unacknowledged.
    await expect(w.deliver(placed)).rejects.toMatchObject({ code: 'TIMEOUT', retriable: true });
    expect(w.timeouts.get('o1')).toBe('2025-03-01T10:15:00.000Z');
    await drainExcept(w, placed); // the stock events go through; the order stream waits behind OrderPlaced
    expect(w.order('o1')).toMatchObject({ status: 'placed', stock: 'reserved', payment: 'pending' });

    await timeoutIsDue(w, 'o1');
    expect(await w.fireTimeout('o1')).toEqual([
      { kind: 'order', orderId: 'o1', command: { type: 'RejectOrder', data: { orderId: 'o1', reason: TIMEOUT_REASON, now: w.now() } } },
    ]);
    await w.drain(); // OrderPlaced, redelivered, is now a no-op; OrderRejected compensates
    expect(w.order('o1')).toMatchObject({ status: 'rejected', reason: TIMEOUT_REASON });
    expect(heldOf(w, 'SKU-A', 'o1')).toBe('released');
    expect(w.timeouts.size).toBe(0);
    expect(w.gateway.ledger()).toEqual([]);
    // A stale sweep of the same row only clears it.
    expect(await w.fireTimeout('o1')).toEqual([{ kind: 'clearTimeout', orderId: 'o1' }]);
  });

  it('cancel after confirm: stock released and the capture refunded', async () => {
    const w = world({ 'SKU-C': 1 });
    w.place('o1', [{ sku: 'SKU-C', quantity: 1 }], 'tok_mastercard');
    await w.drain();
    expect(w.order('o1').status).toBe('confirmed');
    w.handle(orderDecider, 'o1', { type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind', now: w.now() } });
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'cancelled', wasConfirmed: true });
    expect(heldOf(w, 'SKU-C', 'o1')).toBe('released');
    expect(w.inventory('SKU-C')).toMatchObject({ onHand: 1, reserved: 0 });
    expect(w.payment('o1').status).toBe('refunded');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ capturedMinor: 10_000, refundedMinor: 10_000 });
  });

  it('cancel while placed: whatever was held is released and voided', async () => {
    const w = world({ 'SKU-A': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 1 }], 'tok_visa');
    const placed = w.pending[0] as EventEnvelope;
    // Both branches answered, and the cancel lands before the saga settles the order from them.
    for (const step of react(placed, w.context('o1'))) await w.execute(step);
    ack(w, placed);
    w.handle(orderDecider, 'o1', { type: 'CancelOrder', data: { orderId: 'o1', reason: 'too slow', now: w.now() } });
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'cancelled', wasConfirmed: false });
    expect(heldOf(w, 'SKU-A', 'o1')).toBe('released');
    expect(w.payment('o1').status).toBe('voided');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ capturedMinor: 0, voidedMinor: 1250 });
  });

  it('late authorisation after rejection is voided', async () => {
    const w = world({ 'SKU-B': 0 });
    w.place('o1', [{ sku: 'SKU-B', quantity: 1 }], 'tok_visa');
    const placed = w.pending[0] as EventEnvelope;
    const steps = react(placed, w.context('o1'));
    const authorise = steps.find((s) => s.kind === 'authorise') as SagaStep;
    // The runtime reserved, handed the authorisation to its retry queue and moved on.
    await w.deliver(placed, { crashAfterSteps: steps.indexOf(authorise) });
    ack(w, placed);
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'rejected', payment: 'pending' });
    expect(w.payment('o1').status).toBe('none');

    await w.execute(authorise); // the in-flight authorisation lands now
    expect(w.pending.map((e) => e.type)).toEqual(['PaymentAuthorised']);
    await w.drain();
    expect(w.payment('o1').status).toBe('voided');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ authorisations: 1, authorisedMinor: 499, voidedMinor: 499 });
    expect(w.order('o1').status).toBe('rejected');
  });

  it('a crash halfway through a step list is repaired by delivering the event again', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 1 }], 'tok_visa');
    const placed = w.pending[0] as EventEnvelope;
    await w.deliver(placed, { crashAfterSteps: 2 });
    await w.drain();
    expect(w.order('o1').status).toBe('confirmed');
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ authorisations: 1, capturedMinor: 1749 });
  });
});

describe('fulfilment saga: settling from stored facts right after OrderPlaced', () => {
  const placeAndRunBranches = async (w: TestWorld, token: string) => {
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }], token);
    const placed = w.pending[0] as EventEnvelope;
    for (const step of react(placed, w.context('o1'))) await w.execute(step);
    ack(w, placed);
  };

  it('both branches answered: marks stock and payment and confirms at once; the events coming back later change nothing', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 5 });
    await placeAndRunBranches(w, 'tok_visa');
    const authorisationId = (w.payment('o1') as { authorisationId: string }).authorisationId;
    const steps = settleFromFacts('o1', w.context('o1'));
    expect(steps.map((s) => (s.kind === 'order' ? s.command.type : s.kind))).toEqual(['MarkStockReserved', 'MarkPaymentAuthorised', 'ConfirmOrder']);
    expect(steps[1]).toMatchObject({ command: { data: { authorisationId } } });
    for (const step of steps) await w.execute(step);
    expect(w.order('o1').status).toBe('confirmed');
    const before = w.log.length;
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'confirmed', stock: 'reserved', payment: 'authorised' });
    // Only the capture follows; no second mark, confirmation or authorisation.
    expect(w.log.slice(before).map((e) => e.type)).toEqual(['PaymentCaptured']);
    expect(w.gateway.ledgerFor('o1')).toMatchObject({ authorisations: 1, capturedMinor: 2999 });
  });

  it('a decline is marked, not confirmed, and the order is then rejected as usual', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 5 });
    await placeAndRunBranches(w, 'tok_declined');
    const steps = settleFromFacts('o1', w.context('o1'));
    expect(steps.map((s) => (s.kind === 'order' ? s.command.type : s.kind))).toEqual(['MarkStockReserved', 'MarkPaymentFailed']);
    for (const step of steps) await w.execute(step);
    await w.drain();
    expect(w.order('o1')).toMatchObject({ status: 'rejected' });
    expect(w.inventory('SKU-A').reserved).toBe(0);
  });

  it('nothing for an order that is no longer placed, or whose lines are not all answered', () => {
    const w = world({ 'SKU-A': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 1 }], 'tok_visa');
    expect(settleFromFacts('o1', w.context('o1'))).toEqual([]);
    w.handle(orderDecider, 'o1', { type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind', now: w.now() } });
    expect(settleFromFacts('o1', w.context('o1'))).toEqual([]);
  });
});

describe('fulfilment saga: duplicated events', () => {
  /** Redelivers every event ever appended and proves each resulting step appends nothing and moves no money. */
  async function redeliverAll(w: TestWorld): Promise<void> {
    const ledger = w.gateway.ledger();
    const timeouts = new Map(w.timeouts);
    for (const e of [...w.log]) {
      const orderId = (e.data as { orderId?: string }).orderId;
      if (!orderId) continue;
      for (const step of react(e, w.context(orderId))) {
        expect({ step, appended: await w.execute(step) }).toEqual({ step, appended: [] });
      }
    }
    expect(w.pending).toEqual([]);
    expect(w.gateway.ledger()).toEqual(ledger);
    expect(w.timeouts).toEqual(timeouts);
  }

  it('after the happy path, after shipping, every event again is a no-op', async () => {
    const w = world({ 'SKU-A': 5, 'SKU-B': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }], 'tok_visa');
    await w.drain();
    await redeliverAll(w);
    w.handle(orderDecider, 'o1', { type: 'ShipOrder', data: { orderId: 'o1', now: w.now() } });
    await w.drain();
    await redeliverAll(w);
  });

  it('after rejection, cancellation and a late authorisation, every event again is a no-op', async () => {
    const declined = world({ 'SKU-A': 5 });
    declined.place('o1', [{ sku: 'SKU-A', quantity: 1 }], 'tok_insufficient_funds');
    await declined.drain();
    await redeliverAll(declined);

    const cancelled = world({ 'SKU-A': 5 });
    cancelled.place('o1', [{ sku: 'SKU-A', quantity: 1 }], 'tok_visa');
    await cancelled.drain();
    cancelled.handle(orderDecider, 'o1', { type: 'CancelOrder', data: { orderId: 'o1', reason: 'no', now: cancelled.now() } });
    await cancelled.drain();
    await redeliverAll(cancelled);

    const late = world({ 'SKU-B': 0 });
    late.place('o1', [{ sku: 'SKU-B', quantity: 1 }], 'tok_visa');
    const placed = late.pending[0] as EventEnvelope;
    const authorise = react(placed, late.context('o1')).at(-1) as SagaStep;
    await late.deliver(placed, { crashAfterSteps: 2 });
    ack(late, placed);
    await late.drain();
    expect(late.payment('o1').status).toBe('none');
    await late.execute(authorise);
    await late.drain();
    await redeliverAll(late);
  });

  it('the same OrderPlaced twice in a row: one hold, one reservation, the first due time kept', async () => {
    const w = world({ 'SKU-A': 5 });
    w.place('o1', [{ sku: 'SKU-A', quantity: 2 }], 'tok_visa');
    const placed = w.pending[0] as EventEnvelope;
    await w.deliver(placed, { crashAfterSteps: 99 }); // all steps ran, not acknowledged
    const due = w.timeouts.get('o1');
    w.advance(5_000);
    const again = await w.deliver(placed);
    expect(again.find((s) => s.kind === 'scheduleTimeout')).not.toEqual({ kind: 'scheduleTimeout', orderId: 'o1', dueAt: due });
    expect(w.timeouts.get('o1')).toBe(due);
    expect(w.inventory('SKU-A').reserved).toBe(2);
    expect(w.gateway.ledgerFor('o1')?.authorisations).toBe(1);
    expect(w.gateway.calls().authorise).toBe(2);
    expect(w.log.filter((e) => e.type === 'StockReserved' || e.type === 'PaymentAuthorised')).toHaveLength(2);
  });
});

describe('fulfilment saga: pure rules', () => {
  const lines = [
    { sku: 'SKU-A', quantity: 1, unitPriceMinor: 100, lineTotalMinor: 100 },
    { sku: 'SKU-B', quantity: 2, unitPriceMinor: 50, lineTotalMinor: 100 },
  ];
  const info = { orderId: 'o1', customerId: 'c1', currency: 'EUR', totalMinor: 200, lines, authorisationId: null };
  const placed: OrderState = { status: 'placed', ...info, stock: 'pending', payment: 'pending' };
  const ctx = (order: OrderState, extra: Partial<SagaContext> = {}): SagaContext => ({
    order,
    now: '2025-03-01T10:00:00.000Z',
    timeoutMs: 1000,
    ...extra,
  });
  const stockReserved = (sku: string) => env({ type: 'StockReserved', data: { sku, orderId: 'o1', quantity: 1 } }, `inventory-${sku}`);
  const void_ = { kind: 'payment', orderId: 'o1', command: { type: 'VoidPayment', data: { orderId: 'o1' } }, idempotencyKey: 'payment:void:o1' };
  const refund = { kind: 'payment', orderId: 'o1', command: { type: 'RefundPayment', data: { orderId: 'o1' } }, idempotencyKey: 'payment:refund:o1' };

  it('waits for every line before marking stock reserved, and marks short on the first rejection', () => {
    expect(react(stockReserved('SKU-A'), ctx(placed))).toEqual([]);
    expect(react(stockReserved('SKU-A'), ctx(placed, { reservations: { 'SKU-A': 'held', 'SKU-B': 'held' } }))).toEqual([
      { kind: 'order', orderId: 'o1', command: { type: 'MarkStockReserved', data: { orderId: 'o1' } } },
    ]);
    const rejected = env({ type: 'StockReservationRejected', data: { sku: 'SKU-B', orderId: 'o1', quantity: 2, available: 1 } }, 'inventory-SKU-B');
    expect(react(rejected, ctx(placed))).toEqual([
      { kind: 'order', orderId: 'o1', command: { type: 'MarkStockShort', data: { orderId: 'o1', reason: 'insufficient stock for SKU-B' } } },
    ]);
  });

  it('a hold landing after the order closed is released', () => {
    const closed: OrderState = { ...placed, status: 'rejected', reason: 'x' };
    expect(react(stockReserved('SKU-A'), ctx(closed))).toEqual([
      { kind: 'inventory', sku: 'SKU-A', command: { type: 'ReleaseStock', data: { sku: 'SKU-A', orderId: 'o1' } } },
    ]);
  });

  it('a late PaymentAuthorised voids, even without the payment status in the context', () => {
    const authorised = env({ type: 'PaymentAuthorised', data: { orderId: 'o1', amountMinor: 200, currency: 'EUR', authorisationId: 'a1' } }, 'payment-o1');
    expect(react(authorised, ctx({ ...placed, status: 'rejected', reason: 'x' }))).toEqual([void_]);
    expect(react(authorised, ctx({ ...placed, status: 'cancelled', reason: 'x', wasConfirmed: false }))).toEqual([void_]);
    expect(react(authorised, ctx({ ...placed, status: 'rejected', reason: 'x' }, { payment: 'voided' }))).toEqual([]);
  });

  it('regression: a redelivered PaymentAuthorised must not void an order cancelled after confirmation before its capture ran', () => {
    // Found by the interleaving property: the void overtook OrderConfirmed's capture, so the refund never happened.
    const authorised = env({ type: 'PaymentAuthorised', data: { orderId: 'o1', amountMinor: 200, currency: 'EUR', authorisationId: 'a1' } }, 'payment-o1');
    const cancelled: OrderState = { ...placed, status: 'cancelled', reason: 'x', wasConfirmed: true, stock: 'reserved', payment: 'authorised', authorisationId: 'a1' };
    expect(react(authorised, ctx(cancelled, { payment: 'authorised' }))).toEqual([]);
  });

  it('compensation without a payment status: void a hold, refund a confirmed order, nothing when nothing was authorised', () => {
    const rejectedEnv = env({ type: 'OrderRejected', data: { orderId: 'o1', customerId: 'c1', reason: 'x', rejectedAt: '2025-03-01T10:00:00.000Z' } });
    const release = lines.map((l) => ({ kind: 'inventory', sku: l.sku, command: { type: 'ReleaseStock', data: { sku: l.sku, orderId: 'o1' } } }));
    const clear = { kind: 'clearTimeout', orderId: 'o1' };
    expect(react(rejectedEnv, ctx({ ...placed, status: 'rejected', reason: 'x', payment: 'authorised' }))).toEqual([...release, void_, clear]);
    expect(react(rejectedEnv, ctx({ ...placed, status: 'rejected', reason: 'x' }))).toEqual([...release, clear]);
    const cancelledEnv = env({
      type: 'OrderCancelled',
      data: { orderId: 'o1', customerId: 'c1', reason: 'x', wasConfirmed: true, currency: 'EUR', totalMinor: 200, cancelledAt: '2025-03-01T10:00:00.000Z' },
    });
    const cancelled: OrderState = { ...placed, status: 'cancelled', reason: 'x', wasConfirmed: true, stock: 'reserved', payment: 'authorised' };
    expect(react(cancelledEnv, ctx(cancelled))).toEqual([...release, refund, clear]);
    expect(react(cancelledEnv, ctx(cancelled, { payment: 'authorised' }))).toEqual([...release, void_, clear]);
  });

  it('confirms only with stock reserved and payment authorised, and captures after confirmation', () => {
    const e = env({ type: 'OrderPaymentAuthorised', data: { orderId: 'o1', authorisationId: 'a1' } });
    expect(react(e, ctx({ ...placed, payment: 'authorised' }))).toEqual([]);
    expect(react(e, ctx({ ...placed, payment: 'authorised', stock: 'reserved' }))).toEqual([
      { kind: 'order', orderId: 'o1', command: { type: 'ConfirmOrder', data: { orderId: 'o1', now: '2025-03-01T10:00:00.000Z' } } },
    ]);
    const confirmed = env({ type: 'OrderConfirmed', data: { orderId: 'o1', customerId: 'c1', currency: 'EUR', totalMinor: 200, confirmedAt: '2025-03-01T10:00:00.000Z' } });
    const order: OrderState = { ...placed, status: 'confirmed', payment: 'authorised', stock: 'reserved' };
    const capture = { kind: 'payment', orderId: 'o1', command: { type: 'CapturePayment', data: { orderId: 'o1' } }, idempotencyKey: 'payment:capture:o1' };
    expect(react(confirmed, ctx(order))).toEqual([{ kind: 'clearTimeout', orderId: 'o1' }, capture]);
    expect(react(confirmed, ctx(order, { payment: 'refunded' }))).toEqual([{ kind: 'clearTimeout', orderId: 'o1' }]);
  });

  it('a timeout rejects only a still-placed order', () => {
    expect(onTimeout({ type: 'SagaTimedOut', orderId: 'o1' }, ctx(placed))).toEqual([
      { kind: 'order', orderId: 'o1', command: { type: 'RejectOrder', data: { orderId: 'o1', reason: TIMEOUT_REASON, now: '2025-03-01T10:00:00.000Z' } } },
    ]);
    expect(onTimeout({ type: 'SagaTimedOut', orderId: 'o1' }, ctx({ ...placed, status: 'confirmed' }))).toEqual([{ kind: 'clearTimeout', orderId: 'o1' }]);
    expect(onTimeout({ type: 'SagaTimedOut', orderId: 'o1' }, ctx({ status: 'none' }))).toEqual([{ kind: 'clearTimeout', orderId: 'o1' }]);
  });

  it('ignores events it has no business with and refuses a context for another order', () => {
    expect(react(env({ type: 'StockRestocked', data: { sku: 'SKU-A', quantity: 1 } }, 'inventory-SKU-A'), ctx({ status: 'none' }))).toEqual([]);
    expect(() => react(stockReserved('SKU-A'), ctx({ ...placed, orderId: 'o2' }))).toThrow(SagaContextError);
    const missing = (() => {
      try {
        react(stockReserved('SKU-A'), ctx({ status: 'none' }));
      } catch (e) {
        return e;
      }
    })();
    expect(missing).toMatchObject({ name: 'SagaContextError', retriable: true });
  });
});

describe('fulfilment saga: any interleaving, duplication and crash settles consistently', () => {
  const skus = ['SKU-A', 'SKU-B', 'SKU-C'] as const;
  const action = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), crashAfter: fc.option(fc.nat({ max: 5 }), { freq: 3 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'ship' as const }) },
  );
  const scenario = fc.record({
    lines: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 3 }) }), {
      minLength: 1,
      maxLength: 3,
      selector: (l) => l.sku,
    }),
    stock: fc.record({ 'SKU-A': fc.nat({ max: 6 }), 'SKU-B': fc.nat({ max: 6 }), 'SKU-C': fc.nat({ max: 6 }) }),
    token: fc.constantFrom('tok_visa', 'tok_mastercard', 'tok_visa', 'tok_declined', 'tok_insufficient_funds'),
    actions: fc.array(action, { maxLength: 40 }),
    /** What a customer or operator does once the saga settled. */
    after: fc.constantFrom('nothing' as const, 'cancel' as const, 'ship' as const),
    /** Old events delivered again at the end (at-least-once replays). */
    replays: fc.array(fc.nat(), { maxLength: 8 }),
  });

  it('ends closed or confirmed, with stock and money matching the outcome', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lines, stock, token, actions, after, replays }) => {
        const w = world(stock);
        w.place('o1', lines, token);
        const cancel = () => w.handle(orderDecider, 'o1', { type: 'CancelOrder', data: { orderId: 'o1', reason: 'r', now: w.now() } });
        const ship = () => w.handle(orderDecider, 'o1', { type: 'ShipOrder', data: { orderId: 'o1', now: w.now() } });
        const external = (f: () => void) => {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(DomainError); // a customer or operator may be refused; the saga may not
          }
        };
        const fire = async () => {
          if (!w.timeouts.has('o1')) return;
          await timeoutIsDue(w, 'o1');
          await w.fireTimeout('o1');
        };
        for (const a of actions) {
          if (a.kind === 'deliver') {
            const heads = w.heads();
            const head = heads[a.pick % Math.max(1, heads.length)];
            if (head) await w.deliver(head, a.crashAfter === null ? {} : { crashAfterSteps: a.crashAfter });
          } else if (a.kind === 'timeout') await fire();
          else external(a.kind === 'cancel' ? cancel : ship);
        }
        await w.drain();
        await fire();
        await w.drain();
        if (after !== 'nothing') external(after === 'cancel' ? cancel : ship);
        await w.drain();
        for (const i of replays) w.pending.push(w.log[i % w.log.length] as EventEnvelope);
        await w.drain();

        const order = w.order('o1');
        if (order.status === 'none' || order.status === 'placed') throw new Error(`order still ${order.status}`);
        expect(w.pending).toEqual([]);
        expect(w.timeouts.size).toBe(0);
        const payment = w.payment('o1').status;
        const ledger = w.gateway.ledgerFor('o1');
        expect(ledger?.authorisations ?? 0).toBeLessThanOrEqual(1);
        for (const sku of skus) {
          const inv = w.inventory(sku);
          const held = [...inv.reservations.values()].reduce((n, r) => n + (r.status === 'held' ? r.quantity : 0), 0);
          expect(inv.reserved).toBe(held);
          expect(inv.onHand).toBeGreaterThanOrEqual(inv.reserved);
        }
        const statuses = lines.map((l) => heldOf(w, l.sku, 'o1'));
        if (order.status === 'confirmed' || order.status === 'shipped') {
          expect(statuses.every((s) => s === (order.status === 'confirmed' ? 'held' : 'committed'))).toBe(true);
          expect(payment).toBe('captured');
          expect(ledger).toMatchObject({ capturedMinor: order.totalMinor, refundedMinor: 0 });
        } else {
          expect(statuses).not.toContain('held');
          if (order.status === 'cancelled' && order.wasConfirmed) {
            expect(payment).toBe('refunded');
            expect(ledger).toMatchObject({ capturedMinor: order.totalMinor, refundedMinor: order.totalMinor });
          } else {
            expect(['none', 'declined', 'voided']).toContain(payment);
            expect(ledger?.capturedMinor ?? 0).toBe(0);
            expect(ledger?.voidedMinor ?? 0).toBe(ledger?.authorisedMinor ?? 0);
          }
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000); // 400 runs; a few seconds on a quiet box, more on the shared 2 cores
});
