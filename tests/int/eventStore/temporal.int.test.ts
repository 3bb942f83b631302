import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { inventoryDecider } from '../../../command-side/domain/aggregate.ts';
import { createCommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { freshEventStore, testCtx } from '../../support/eventStore.ts';

describe('temporal reads (real Postgres)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('temporal'));
  });
  afterAll(() => pool.end());

  it('folds a stream as of three known moments and as of a version', async () => {
    let now = new Date('2026-03-01T09:00:00Z');
    const handler = createCommandHandler({ store, clock: () => now });
    const sku = 'SKU-TEMPORAL';
    const restock = (quantity: number) => handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity } }, testCtx());
    await restock(10); // 09:00 → 10
    now = new Date('2026-03-01T12:00:00Z');
    await restock(5); // 12:00 → 15
    now = new Date('2026-03-01T14:00:00Z');
    await handler.handle(inventoryDecider, sku, { type: 'AdjustStock', data: { sku, delta: -3, reason: 'damaged' } }, testCtx()); // 14:00 → 12

    const at = async (iso: string) => (await handler.load(inventoryDecider, sku, { at: new Date(iso) })).state.onHand;
    expect(await at('2026-03-01T08:59:59Z')).toBe(0);
    expect(await at('2026-03-01T10:30:00Z')).toBe(10);
    expect(await at('2026-03-01T13:59:59Z')).toBe(15);
    expect(await at('2026-03-01T18:00:00Z')).toBe(12);
    expect((await handler.load(inventoryDecider, sku, { maxVersion: 2 })).state.onHand).toBe(15);
  });
});
