import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore, NewEvent } from '../../../command-side/eventStore/eventStore.ts';
import { inventoryDecider } from '../../../command-side/domain/aggregate.ts';
import type { CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { eventCount, freshEventStore, testCtx } from '../../support/eventStore.ts';

function restocked(sku: string, quantity: number): NewEvent {
  return {
    eventId: randomUUID(), type: 'StockRestocked', version: 1, data: { sku, quantity }, metadata: {},
    source: 'test', correlationId: 'c', causationId: null, traceparent: null, occurredAt: new Date().toISOString(),
  };
}

// The same guarantees with group commit off and on: optimistic concurrency stays exact per stream.
describe.each([
  { mode: 'one statement per append', options: {} },
  { mode: 'group commit on', options: { groupCommit: { maxCommands: 32, windowMicros: 0 } } },
])('event store appends (real Postgres), $mode', ({ options }) => {
  let pool: pg.Pool;
  let store: EventStore;
  let handler: CommandHandler;
  beforeAll(async () => {
    ({ pool, store, handler } = await freshEventStore('append', 40, options));
  });
  afterAll(() => pool.end());

  it('of N concurrent writers expecting the same version, exactly one wins each version', async () => {
    const stream = `inventory-SKU-${randomUUID().slice(0, 8)}`;
    for (let version = 0; version < 5; version++) {
      const results = await Promise.all(Array.from({ length: 12 }, () => store.append(stream, version, [restocked('X', 1)])));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'WRONG_EXPECTED_VERSION')).toBe(true);
    }
    const events = await store.readStream(stream);
    expect(events.map((e) => e.envelope.streamVersion)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects a stale expected version and a gap without writing', async () => {
    const stream = `inventory-SKU-${randomUUID().slice(0, 8)}`;
    expect((await store.append(stream, 0, [restocked('Y', 1)])).ok).toBe(true);
    const before = await eventCount(pool);
    expect(await store.append(stream, 0, [restocked('Y', 1)])).toMatchObject({ ok: false, expected: 0, actual: 1 });
    expect(await store.append(stream, 3, [restocked('Y', 1)])).toMatchObject({ ok: false, expected: 3, actual: 1 });
    expect(await eventCount(pool)).toBe(before);
  });

  it('command handler retries lost races: 20 concurrent restocks of one SKU all land, none lost', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 2 } }, testCtx()).then(() => 'ok', (e: Error) => e.name)));
    const acknowledged = outcomes.filter((o) => o === 'ok').length;
    const { state, version } = await handler.load(inventoryDecider, sku);
    // Retries are bounded (8 attempts): under this contention some may give up with a ConcurrencyError
    // (CONFLICT), but every acknowledged restock is in the stream and nothing else is.
    expect(outcomes.every((o) => o === 'ok' || o === 'ConcurrencyError')).toBe(true);
    expect(acknowledged).toBeGreaterThan(0);
    expect(version).toBe(acknowledged);
    expect(state.onHand).toBe(acknowledged * 2);
  });

  it('stores the full envelope: ids, correlation, causation, trace context, metadata', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: 3 } },
      testCtx({ correlationId: 'corr-1', causationId: 'cause-1', traceparent, metadata: { principal: 'alice' } }));
    const [stored] = await store.readStream(`inventory-${sku}`);
    expect(stored?.envelope).toMatchObject({
      type: 'StockRestocked', version: 1, streamVersion: 1, correlationId: 'corr-1', causationId: 'cause-1',
      traceparent, source: 'orderflow/command-side', metadata: { principal: 'alice' }, data: { sku, quantity: 3 },
    });
    expect(stored?.envelope.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(stored?.envelope.globalPosition)).toBeGreaterThan(0);
  });
});
