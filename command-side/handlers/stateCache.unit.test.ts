import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../contracts/index.ts';
import { inventoryDecider } from '../domain/aggregate.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import type { ReadStreamBound } from '../eventStore/sql/readStream.ts';
import type { StoredEvent } from '../eventStore/sql/storedEvent.ts';
import { createCommandHandler } from './commandHandler.ts';

/** An event store port held in memory (unit tier: no I/O), recording every read's bound. */
function memoryStore() {
  const streams = new Map<string, StoredEvent[]>();
  const reads: (ReadStreamBound | undefined)[] = [];
  let position = 0n;
  const store: EventStore = {
    pool: undefined as unknown as pg.Pool,
    readStream(streamId, bound) {
      reads.push(bound);
      return Promise.resolve((streams.get(streamId) ?? []).filter((e) => e.envelope.streamVersion > (bound?.afterVersion ?? 0)));
    },
    readAll: () => Promise.resolve([]),
    append(streamId, expectedVersion, events) {
      const stream = streams.get(streamId) ?? [];
      if (stream.length !== expectedVersion) return Promise.resolve({ ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: expectedVersion, actual: stream.length });
      const positions = events.map((e, i) => {
        position++;
        stream.push({
          envelope: parseEnvelope({ ...e, streamId, streamVersion: expectedVersion + i + 1, globalPosition: String(position) }),
          position: { transactionId: position, globalPosition: position },
        });
        return { transactionId: position, globalPosition: position };
      });
      streams.set(streamId, stream);
      return Promise.resolve({ ok: true, streamVersion: stream.length, positions });
    },
  };
  return { store, reads };
}

const restock = { type: 'Restock' as const, data: { sku: 'MUG', quantity: 1 } };

describe('command handler state cache', () => {
  // Regression (soak): every order's folded state was kept, so the saga's heap grew with each order
  // placed until 10,000 streams were cached. Short streams are read whole instead.
  it('reads a short stream whole on every load: nothing of it is kept', async () => {
    const { store, reads } = memoryStore();
    const handler = createCommandHandler({ store, stateCacheMinEvents: 4 });
    for (let i = 0; i < 4; i++) await handler.handle(inventoryDecider, 'MUG', restock, { correlationId: `c${i}` });
    expect(reads.map((b) => b?.afterVersion)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('folds only the newer events of a stream once it is long enough to be kept', async () => {
    const { store, reads } = memoryStore();
    const handler = createCommandHandler({ store, stateCacheMinEvents: 4 });
    for (let i = 0; i < 7; i++) await handler.handle(inventoryDecider, 'MUG', restock, { correlationId: `c${i}` });
    // Loads 1–5 see 0–4 events (kept from 4 on); loads 6 and 7 read after the version they kept.
    expect(reads.map((b) => b?.afterVersion)).toEqual([undefined, undefined, undefined, undefined, undefined, 4, 5]);
    const state = await handler.handle(inventoryDecider, 'MUG', restock, { correlationId: 'last' });
    expect(state.streamVersion).toBe(8);
  });
});
