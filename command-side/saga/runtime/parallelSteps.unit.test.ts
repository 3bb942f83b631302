import { describe, expect, it } from 'vitest';
import { orderStep, type SagaStep } from '../steps.ts';
import { parallelBatches, settleAll } from './parallelSteps.ts';

const schedule: SagaStep = { kind: 'scheduleTimeout', orderId: 'o', dueAt: '2026-01-01T00:00:00Z' };
const reserve = (sku: string): SagaStep => ({ kind: 'inventory', sku, command: { type: 'ReserveStock', data: { sku, orderId: 'o', quantity: 1 } } });
const authorise: SagaStep = { kind: 'authorise', orderId: 'o', amountMinor: 100, currency: 'EUR', paymentRef: 'p', idempotencyKey: 'k' };
const clear: SagaStep = { kind: 'clearTimeout', orderId: 'o' };
const together = (...steps: SagaStep[]) => ({ run: 'together', steps });
const commandOf = (s: SagaStep) => (s.kind === 'order' ? s.command : undefined);

describe('parallelBatches', () => {
  it('runs the timeout row, the reservations and the authorisation of OrderPlaced together', () => {
    expect(parallelBatches([schedule, reserve('A'), reserve('B'), authorise])).toEqual([together(schedule, reserve('A'), reserve('B'), authorise)]);
  });

  it('keeps every other step in order, on its own', () => {
    const release: SagaStep = { kind: 'inventory', sku: 'A', command: { type: 'ReleaseStock', data: { sku: 'A', orderId: 'o' } } };
    expect(parallelBatches([clear, release, clear])).toEqual([together(clear), together(release), together(clear)]);
    expect(parallelBatches([])).toEqual([]);
  });

  it('makes consecutive commands on one order a single series, and only those', () => {
    const [markStock, markPayment, confirm] = [orderStep({ type: 'MarkStockReserved', data: { orderId: 'o' } }), orderStep({ type: 'MarkPaymentAuthorised', data: { orderId: 'o', authorisationId: 'a' } }), orderStep({ type: 'ConfirmOrder', data: { orderId: 'o', now: '2026-01-01T00:00:00Z' } })];
    const other = orderStep({ type: 'MarkStockReserved', data: { orderId: 'p' } });
    expect(parallelBatches([markStock, markPayment, confirm, other, clear, confirm])).toEqual([
      { run: 'series', orderId: 'o', commands: [markStock, markPayment, confirm].map(commandOf), steps: [markStock, markPayment, confirm] },
      { run: 'series', orderId: 'p', commands: [commandOf(other)], steps: [other] },
      together(clear),
      { run: 'series', orderId: 'o', commands: [commandOf(confirm)], steps: [confirm] },
    ]);
  });
});

describe('settleAll', () => {
  it('waits for every task, then throws the first failure in task order', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => { slowDone = true; r(); }, 20));
    await expect(settleAll([slow, Promise.reject(new Error('first')), Promise.reject(new Error('second'))])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });
});
