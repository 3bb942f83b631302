import { describe, expect, it } from 'vitest';
import type { SagaStep } from '../steps.ts';
import { parallelBatches, settleAll } from './parallelSteps.ts';

const schedule: SagaStep = { kind: 'scheduleTimeout', orderId: 'o', dueAt: '2026-01-01T00:00:00Z' };
const reserve = (sku: string): SagaStep => ({ kind: 'inventory', sku, command: { type: 'ReserveStock', data: { sku, orderId: 'o', quantity: 1 } } });
const authorise: SagaStep = { kind: 'authorise', orderId: 'o', amountMinor: 100, currency: 'EUR', paymentRef: 'p', idempotencyKey: 'k' };
const clear: SagaStep = { kind: 'clearTimeout', orderId: 'o' };

describe('parallelBatches', () => {
  it('runs the reservations and the authorisation of OrderPlaced together, after the timeout row', () => {
    expect(parallelBatches([schedule, reserve('A'), reserve('B'), authorise])).toEqual([[schedule], [reserve('A'), reserve('B'), authorise]]);
  });

  it('keeps every other step in order, on its own', () => {
    const release: SagaStep = { kind: 'inventory', sku: 'A', command: { type: 'ReleaseStock', data: { sku: 'A', orderId: 'o' } } };
    expect(parallelBatches([clear, release, clear])).toEqual([[clear], [release], [clear]]);
    expect(parallelBatches([])).toEqual([]);
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
