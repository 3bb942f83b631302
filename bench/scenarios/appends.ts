import { randomUUID } from 'node:crypto';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { createRawEventsTable, multiRowInsertSql, scratchDb } from '../lib/db.ts';
import { restockNewEvent, toRawRow } from '../lib/fixtures.ts';
import { closedLoop } from '../lib/load.ts';
import type { Scenario } from '../lib/types.ts';

const BATCH = 100;
const WRITERS = 4;

/**
 * Scenario 2: 100-event appends through the event store (`EventStore.append`: own transaction,
 * stream claim, one unnest INSERT, pg_notify, commit) against one raw multi-row
 * `INSERT … VALUES (…), (…)` of the same 100 rows into a table shaped like `events`.
 */
export const appendsScenario: Scenario = async ({ quick, log }) => {
  const db = await scratchDb('app');
  try {
    const pool = db.pool(WRITERS);
    const store = createEventStore(pool);
    await createRawEventsTable(pool);
    const insert100 = multiRowInsertSql('raw_events', BATCH);
    const durationMs = quick ? 1500 : 6000;
    const warmupMs = quick ? 300 : 1000;
    const batch = () => {
      const correlationId = randomUUID();
      return Array.from({ length: BATCH }, (_, i) => restockNewEvent(`SKU-${i % 10}`, 1 + (i % 5), correlationId));
    };
    const raw = await closedLoop({
      concurrency: WRITERS,
      durationMs,
      warmupMs,
      op: () => {
        const streamId = `inventory-${randomUUID()}`;
        return pool.query(insert100, batch().flatMap((e, i) => toRawRow(e, streamId, i + 1)));
      },
    });
    const app = await closedLoop({
      concurrency: WRITERS,
      durationMs,
      warmupMs,
      op: async () => {
        const r = await store.append(`inventory-${randomUUID()}`, 0, batch());
        if (!r.ok) throw new Error(`append refused: ${r.reason}`);
      },
    });
    log(`  append x100: ${app.ok} ok ${app.errors} err; raw multi-row: ${raw.ok} ok ${raw.errors} err`);
    const rate = ratePerSecond(app.ok * BATCH, app.elapsedMs);
    const rawRate = ratePerSecond(raw.ok * BATCH, raw.elapsedMs);
    const r = ratio(rate, rawRate);
    const met = r !== undefined && r >= 0.7;
    const lat = summarize(app.latencies);
    const rawLat = summarize(raw.latencies);
    return {
      id: 'appends',
      title: '2. Batched 100-event appends vs raw multi-row INSERT',
      figures: [{
        name: `append 100 events @${WRITERS} writers`,
        value: round(rate),
        unit: 'events/s',
        baseline: { what: 'raw 100-row INSERT … VALUES', value: round(rawRate), unit: 'rows/s' },
        ...(r !== undefined && { ratio: round(r) }),
        target: { text: '≥ 70% of raw multi-row INSERT', met, ...(!met && { reason: 'see notes' }) },
        ...(lat && { latency: roundSummary(lat) }),
        ...(rawLat && { baselineLatency: roundSummary(rawLat) }),
      }],
      notes: [
        `${WRITERS} concurrent writers each side, pool of ${WRITERS}, each batch a new stream of ${BATCH} StockRestocked events; ${warmupMs} ms warm-up + ${durationMs} ms measured`,
        'append = begin / claim stream row / one unnest INSERT of 100 rows / pg_notify / commit (5 statements); raw = one autocommit INSERT with 1,200 parameters',
        ...(app.errors + raw.errors > 0 ? [`errors: append ${app.errors} (${app.firstError ?? ''}), raw ${raw.errors} (${raw.firstError ?? ''})`] : []),
      ],
    };
  } finally {
    await db.drop();
  }
};
