import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { LOG_START, type EventLogSource, type LoggedEvent } from '../../../contracts/eventLog.ts';
import { newEvent, orderLifeFor } from '../../support/bulkOrders.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { restockEvent } from '../../support/relayHarness.ts';

async function readEverything(source: EventLogSource, limit: number, types?: readonly string[]): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  let position = LOG_START;
  for (;;) {
    const batch = await source.readAll(position, limit, types);
    const last = batch.at(-1);
    if (!last) return out;
    out.push(...batch);
    position = last.position;
  }
}

describe("the projector's event-log port over the event store (real Postgres)", () => {
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('eventlog'));
    // 300 inventory events first (types a rebuild of an order view skips), then orders across the
    // global positions 99→100 and 999→1000 (digit-length boundaries).
    for (let i = 0; i < 3; i++) expect((await store.append(`inventory-S${i}`, 0, Array.from({ length: 100 }, () => restockEvent(`S${i}`)))).ok).toBe(true);
    for (let i = 0; i < 200; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      const r = await store.append(`order-seed-${i}`, 0, orderLifeFor(i, `c-${i % 7}`, at).map((e) => newEvent(e, at.toISOString())));
      expect(r.ok).toBe(true);
    }
  });
  afterAll(() => pool.end());

  it('a type-filtered read returns every wanted event once, in log order, and is empty only at the tail', async () => {
    const source = eventStorePorts(pool);
    const all = await readEverything(source, 1000);
    const orderTypes = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled'];
    const expected = all.filter((e) => orderTypes.includes(e.envelope.type)).map((e) => e.envelope.eventId);
    for (const limit of [7, 100, 1000]) {
      const typed = await readEverything(source, limit, orderTypes);
      expect(typed.map((e) => e.envelope.eventId)).toEqual(expected);
    }
    // The first 300 events are all of other types: a small batch must read past them, not answer [].
    expect((await source.readAll(LOG_START, 10, orderTypes)).length).toBeGreaterThan(0);
    expect(await source.countEvents(orderTypes)).toBe(expected.length);
    expect(await source.countEvents()).toBe(all.length);
  });

  it('streams: from a version, and as of a moment', async () => {
    const source = eventStorePorts(pool);
    expect((await source.readStream('order-seed-1', 2)).map((e) => e.streamVersion)).toEqual([2, 3, 4]);
    expect(await source.readStream('order-seed-1', 1, { at: new Date(Date.UTC(2025, 0, 1)) })).toEqual([]);
    expect(await source.readStream('nope', 1)).toEqual([]);
  });
});
