import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryDecider } from '../../../command-side/domain/aggregate.ts';
import { eventStorePorts } from '../../../command-side/eventStore/eventLogPorts.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { inventoryProjection } from '../../../projector/projections/inventory.ts';
import type { Projection } from '../../../projector/projections/index.ts';
import { discardDeadLetter, listDeadLetters, retryDeadLetter, type DeadLetter } from '../../../projector/runner/deadLetterOps.ts';
import { DEAD_LETTERS } from '../../../projector/runner/deadLetters.ts';
import { cliEnv, runCli } from '../../support/cli.ts';
import { testCtx } from '../../support/eventStore.ts';
import { eventually, startPipeline, type Pipeline } from '../../support/pipeline.ts';

let broken = true;
let calls = 0;
/** The inventory projection with a bug for SKUs starting with FLAKY, until it is "fixed" (`broken = false`). */
const flaky: Projection = {
  ...inventoryProjection,
  name: 'inventory_flaky',
  project(e) {
    if (broken && String((e.data as { sku?: string }).sku).startsWith('FLAKY')) {
      calls++;
      throw new Error('projection bug for FLAKY');
    }
    return inventoryProjection.project(e);
  },
};

describe('dead letters: list, show, discard, retry exactly once (real Kafka + FerretDB)', () => {
  let p: Pipeline;
  const names = namesFor(1);
  const restock = (sku: string, quantity: number) => p.handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity } }, testCtx());
  const stock = (sku: string) => p.db.collection<{ _id: string; onHand: number; v: number }>(names('inventory')).findOne({ _id: sku });
  const retry = (id: string) => retryDeadLetter({ db: p.db, id, streams: eventStorePorts(p.pool), projectionFor: (n) => (n === flaky.name ? flaky : undefined) });

  beforeAll(async () => {
    p = await startPipeline('dlqops', [flaky], { maxAttempts: 2 });
  });
  afterAll(() => p.stop());

  it('a retry after the fix projects the dead event and the ones skipped behind it exactly once', async () => {
    await restock('FLAKY', 1);
    await restock('FLAKY', 2);
    await restock('FLAKY', 3);
    await restock('OK-1', 5);
    await eventually(() => stock('OK-1'));
    const dead = await eventually(async () => {
      const list = await listDeadLetters(p.db, { projection: 'inventory_flaky', status: 'open' });
      return list.length === 3 ? list : undefined;
    });
    expect(dead.map((d) => d.streamVersion).sort()).toEqual([1, 2, 3]);
    expect(await stock('FLAKY')).toBeNull();
    expect(calls).toBe(6); // 2 attempts for each of the 3 events

    // Still broken: a retry changes nothing but its bookkeeping.
    const first = dead.find((d) => d.streamVersion === 1) as DeadLetter;
    const failed = await retry(first._id);
    expect(failed).toMatchObject({ ok: false, reason: 'FAILED' });
    expect(await p.db.collection<DeadLetter>(DEAD_LETTERS).findOne({ _id: first._id })).toMatchObject({ status: 'open', retries: 1, lastRetryError: expect.stringContaining('projection bug') });

    broken = false; // the fix is deployed
    const r = await retry(first._id);
    expect(r).toMatchObject({ ok: true, generation: 1, retriedThrough: 3, eventsApplied: 3 });
    expect(r.ok && r.covered.length).toBe(2);
    expect(await stock('FLAKY')).toMatchObject({ onHand: 6, v: 3 });
    const after = await listDeadLetters(p.db, { projection: 'inventory_flaky' });
    expect(after.map((d) => d.status)).toEqual(['retried', 'retried', 'retried']);

    // Retrying again (a covered one, or the same one re-opened by hand) never double counts.
    expect(await retry(dead.find((d) => d.streamVersion === 2)?._id ?? '')).toMatchObject({ ok: false, reason: 'NOT_OPEN' });
    await p.db.collection<DeadLetter>(DEAD_LETTERS).updateOne({ _id: first._id }, { $set: { status: 'open' } });
    expect(await retry(first._id)).toMatchObject({ ok: true, retriedThrough: 3 });
    expect(await stock('FLAKY')).toMatchObject({ onHand: 6, v: 3 });

    // And the live projector carries on from the right version.
    await restock('FLAKY', 4);
    await eventually(async () => (await stock('FLAKY'))?.v === 4);
    expect(await stock('FLAKY')).toMatchObject({ onHand: 10, v: 4 });
  });

  it('discard leaves the event skipped; unknown ids are NOT_FOUND; the CLI shows and lists them', async () => {
    broken = true;
    await restock('FLAKY-2', 7);
    const dl = await eventually(() => p.db.collection<DeadLetter>(DEAD_LETTERS).findOne({ streamId: 'inventory-FLAKY-2' }));
    broken = false;
    expect(await discardDeadLetter(p.db, dl._id, 'test data')).toMatchObject({ ok: true, doc: { status: 'discarded', discardReason: 'test data' } });
    expect(await discardDeadLetter(p.db, dl._id)).toMatchObject({ ok: false, reason: 'NOT_OPEN' });
    expect(await retry(dl._id)).toMatchObject({ ok: false, reason: 'NOT_OPEN' });
    expect(await retry('nope')).toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect(await stock('FLAKY-2')).toBeNull();

    const env = cliEnv({ databaseUrl: p.databaseUrl, mongoDb: p.db.databaseName, prefix: p.prefix });
    const shown = await runCli(['dlq', 'show', dl._id, '--json'], env);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ _id: dl._id, status: 'discarded', streamId: 'inventory-FLAKY-2' });
    const listed = await runCli(['dlq', 'list', '--projection', 'inventory_flaky', '--status', 'retried'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter((l) => l.includes('inventory-FLAKY@'))).toHaveLength(3);
    expect((await runCli(['dlq', 'show', 'nope'], env)).code).toBe(3);
    expect((await runCli(['dlq', 'list', '--status', 'weird'], env)).code).toBe(2);
  });
});
