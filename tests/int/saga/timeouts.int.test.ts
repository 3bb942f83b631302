import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueTimeouts } from '../../../command-side/saga/runtime/sql/claimDueTimeouts.ts';
import { cancelSagaTimeout } from '../../../command-side/saga/runtime/sql/cancelSagaTimeout.ts';
import { scheduleTimeout } from '../../../command-side/saga/runtime/sql/scheduleTimeout.ts';
import { createTimeoutSweeper } from '../../../command-side/saga/runtime/sweeper.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { testLogger } from '../../support/relayHarness.ts';

const trace = { correlationId: 'corr-1', causationId: 'evt-1', traceparent: null };

describe('durable saga timeouts (saga_timeouts)', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    ({ pool } = await freshEventStore('timeouts'));
  });
  afterAll(() => pool?.end());

  it('schedules once (the first due time stays), clears, and claims only due rows', async () => {
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    expect(await scheduleTimeout(pool, 'a', '2030-01-01T00:00:10.000Z', trace)).toEqual({ ok: true, outcome: 'scheduled' });
    expect(await scheduleTimeout(pool, 'a', '2030-01-01T00:09:00.000Z', trace)).toEqual({ ok: true, outcome: 'exists' });
    await scheduleTimeout(pool, 'b', '2030-01-01T00:00:20.000Z', trace);
    expect(await claimDueTimeouts(pool, t0, 10, 1000)).toEqual([]);
    const due = await claimDueTimeouts(pool, new Date(t0.getTime() + 15_000), 10, 1000);
    expect(due).toEqual([{ orderId: 'a', dueAt: new Date('2030-01-01T00:00:10.000Z'), attempts: 1, ...trace }]);
    expect(await cancelSagaTimeout(pool, 'a')).toEqual({ ok: true, outcome: 'cleared' });
    expect(await cancelSagaTimeout(pool, 'a')).toEqual({ ok: true, outcome: 'absent' });
    await cancelSagaTimeout(pool, 'b');
  });

  it('a claimed row is leased: parallel sweepers split rows, and an expired lease is claimed again', async () => {
    const now = new Date('2031-01-01T00:00:00.000Z');
    for (let i = 0; i < 20; i++) await scheduleTimeout(pool, `p${i}`, '2030-12-31T00:00:00.000Z', trace);
    const claims = await Promise.all([0, 1, 2, 3].map(() => claimDueTimeouts(pool, now, 8, 60_000)));
    const ids = claims.flat().map((r) => r.orderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
    expect(await claimDueTimeouts(pool, new Date(now.getTime() + 59_000), 50, 60_000)).toEqual([]);
    const again = await claimDueTimeouts(pool, new Date(now.getTime() + 61_000), 50, 60_000);
    expect(again).toHaveLength(20);
    expect(again.every((r) => r.attempts === 2)).toBe(true);
    for (let i = 0; i < 20; i++) await cancelSagaTimeout(pool, `p${i}`);
  });

  it('the sweeper fires due rows; a failed fire leaves the row for a later sweep', async () => {
    await scheduleTimeout(pool, 'ok', '2020-01-01T00:00:00.000Z', trace);
    await scheduleTimeout(pool, 'bad', '2020-01-01T00:00:00.000Z', trace);
    const fired: string[] = [];
    const sweeper = createTimeoutSweeper({
      pool, logger: testLogger, leaseMs: 50,
      async fire(row) {
        fired.push(row.orderId);
        if (row.orderId === 'bad') throw new Error('database hiccup');
        await cancelSagaTimeout(pool, row.orderId);
      },
    });
    expect(await sweeper.sweepOnce()).toBe(2);
    await new Promise((r) => setTimeout(r, 80));
    expect(await sweeper.sweepOnce()).toBe(1);
    expect(fired.sort()).toEqual(['bad', 'bad', 'ok']);
    await cancelSagaTimeout(pool, 'bad');
  });
});
