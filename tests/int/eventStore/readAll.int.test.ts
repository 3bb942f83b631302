import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore, NewEvent } from '../../../command-side/eventStore/eventStore.ts';
import { START } from '../../../contracts/position.ts';
import { appendToStream } from '../../../command-side/eventStore/sql/appendToStream.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { freshPool } from '../../support/isolation.ts';
import { eventually } from '../../support/pipeline.ts';

const restocked = (sku: string): NewEvent => ({
  eventId: randomUUID(), type: 'StockRestocked', version: 1, data: { sku, quantity: 1 }, metadata: {},
  source: 'test', correlationId: 'c', causationId: null, traceparent: null, occurredAt: new Date().toISOString(),
});

describe('gap-safe global log read (real Postgres)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('readall'));
  });
  afterAll(() => pool.end());

  it('never passes an event whose transaction commits late, and returns it after commit in commit-safe order', async () => {
    await store.append('inventory-A', 0, [restocked('A')]);
    // Snapshot xmin is cluster-wide: a transaction of a test file running in parallel (another
    // database) can hold every reader back for a moment. Wait until A is visible before starting.
    await eventually(async () => (await store.readAll(START, 100)).length === 1);
    // Hold a transaction open with an event in it (it has the lower global position)...
    const late = await pool.connect();
    await late.query('begin');
    await appendToStream(late, 'inventory-LATE', 0, [restocked('LATE')]);
    // ...while later transactions commit.
    await store.append('inventory-B', 0, [restocked('B')]);
    await store.append('inventory-C', 0, [restocked('C')]);

    const whileOpen = await store.readAll(START, 100);
    expect(whileOpen.map((e) => e.envelope.streamId)).toEqual(['inventory-A']);
    // A reader that checkpointed here must still see LATE, B and C next.
    const checkpoint = whileOpen.at(-1)?.position ?? START;

    await late.query('commit');
    late.release();
    const after = await eventually(async () => {
      const r = await store.readAll(checkpoint, 100);
      return r.length === 3 && r;
    });
    expect(after.map((e) => e.envelope.streamId)).toEqual(['inventory-LATE', 'inventory-B', 'inventory-C']);
    // The late event has the smaller global position but is read first: order is commit-safe, not position order.
    const [lateEvent, b] = after;
    expect(BigInt(lateEvent?.envelope.globalPosition ?? 0)).toBeLessThan(BigInt(b?.envelope.globalPosition ?? 0));
  });

  it('a rolled-back transaction leaves no event and does not block readers', async () => {
    const tx = await pool.connect();
    await tx.query('begin');
    await appendToStream(tx, 'inventory-GHOST', 0, [restocked('GHOST')]);
    await tx.query('rollback');
    tx.release();
    const all = await store.readAll(START, 1000);
    expect(all.some((e) => e.envelope.streamId === 'inventory-GHOST')).toBe(false);
  });

  it('regression: orders numerically, not as text, past 9 events in one transaction (found by the relay crash test)', async () => {
    const from = (await store.readAll(START, 100_000)).at(-1)?.position ?? START;
    await store.append('inventory-TWELVE', 0, Array.from({ length: 12 }, () => restocked('TWELVE')));
    const read = await eventually(async () => {
      const r = await store.readAll(from, 100);
      return r.length === 12 && r;
    });
    expect(read.map((e) => e.envelope.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('a long transaction in another database on the same server does not hold the reader back', async () => {
    const other = await freshPool('readall_other', 1);
    const tx = await other.connect();
    try {
      await tx.query('begin');
      await tx.query('create table busy (x int); insert into busy values (1)'); // takes an xid and keeps it
      const from = (await store.readAll(START, 100_000)).at(-1)?.position ?? START;
      await store.append('inventory-NEIGHBOUR', 0, [restocked('NEIGHBOUR')]);
      const read = await eventually(async () => {
        const r = await store.readAll(from, 100);
        return r.length === 1 && r;
      }, 5_000);
      expect(read[0]?.envelope.streamId).toBe('inventory-NEIGHBOUR');
    } finally {
      await tx.query('rollback');
      tx.release();
      await other.end();
    }
  });
});
