import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { inventoryDecider } from '../../../command-side/domain/aggregate.ts';
import type { CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { IdempotencyKeyReusedError } from '../../../command-side/handlers/errors.ts';
import { eventCount, freshEventStore, testCtx } from '../../support/eventStore.ts';

describe.each([
  { mode: 'one statement per append', options: {} },
  { mode: 'group commit on', options: { groupCommit: { maxCommands: 32, windowMicros: 0 } } },
])('idempotency keys (real Postgres), $mode', ({ options }) => {
  let pool: pg.Pool;
  let handler: CommandHandler;
  beforeAll(async () => {
    ({ pool, handler } = await freshEventStore('idem', 30, options));
  });
  afterAll(() => pool.end());

  it('10 concurrent requests with one key append once and all return the first result', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const key = `restock:${randomUUID()}`;
    const before = await eventCount(pool);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 5 } }, testCtx({ idempotencyKey: key }))),
    );
    expect(await eventCount(pool)).toBe(before + 1);
    expect(new Set(results.map((r) => `${r.streamVersion}/${r.position}`)).size).toBe(1);
    expect(results.filter((r) => r.appended.length > 0)).toHaveLength(1);
    expect((await handler.load(inventoryDecider, sku)).state.onHand).toBe(5);
  });

  it('a later retry returns the stored result and appends nothing', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const key = `restock:${randomUUID()}`;
    const first = await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 1 } }, testCtx({ idempotencyKey: key }));
    await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 7 } }, testCtx());
    const before = await eventCount(pool);
    const retry = await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 1 } }, testCtx({ idempotencyKey: key }));
    expect(retry).toEqual({ ...first, appended: [] });
    expect(await eventCount(pool)).toBe(before);
  });

  it('a key reused for a different request is refused and writes nothing', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const key = `restock:${randomUUID()}`;
    await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 1 } }, testCtx({ idempotencyKey: key }));
    const before = await eventCount(pool);
    await expect(handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 99 } }, testCtx({ idempotencyKey: key }))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await eventCount(pool)).toBe(before);
  });
});
