import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../contracts/index.ts';
import { foldInMemory } from '../../../projector/memory/memoryViews.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { storeCommandsSoFar } from '../../../projector/mongo/commandMetrics.ts';
import { ensureIndexes, namesFor } from '../../../projector/mongo/generations.ts';
import { ORDER_DETAIL_VIEW, orderDetailProjection } from '../../../projector/projections/order_detail.ts';
import { orderCancelled, orderConfirmed, orderPlaced, stream } from '../../support/projectionFixtures.ts';
import { countingMongo, type CountingMongo } from '../../support/countingMongo.ts';

const projection = orderDetailProjection;

/** 30 orders × (placed, confirmed, cancelled): 90 order_detail events, interleaved as a partition would carry them. */
function batchOf(prefix: string): EventEnvelope[] {
  const streams = Array.from({ length: 30 }, (_, i) => {
    const id = `${prefix}-${i}`;
    return stream(`order-${id}`, [orderPlaced(id), orderConfirmed(id, 1000), orderCancelled(id, 1000, true)]);
  });
  return [0, 1, 2].flatMap((k) => streams.map((s) => s[k] as EventEnvelope));
}

/**
 * The projector writes each touched document at most once per batch (issue 13): 90 events of 30
 * orders in one batch cost a handful of store commands where applying them event by event costs one
 * per event, and the documents are the same as a one-by-one fold. Counted twice: by the driver's
 * command monitoring, and by `orderflow_projector_store_commands_total` (what bench and operators see).
 */
describe('batch-coalesced view writes (real FerretDB)', () => {
  let mongo: CountingMongo;
  let db: Db;
  beforeAll(async () => {
    mongo = await countingMongo('t_coalesce');
    db = mongo.db;
    for (const g of [1, 2]) await ensureIndexes(db, projection, g);
  });
  afterAll(() => mongo?.close());

  const docs = (g: number) => db.collection(namesFor(g)(ORDER_DETAIL_VIEW)).find({}).sort({ _id: 1 }).toArray();
  const expected = (envs: readonly EventEnvelope[]) =>
    foldInMemory(projection, envs).docs(ORDER_DETAIL_VIEW).sort((a, b) => String(a['_id']).localeCompare(String(b['_id'])));

  async function counted(work: () => Promise<unknown>): Promise<{ driver: number; metric: number }> {
    const [c0, m0] = [mongo.commands(), await storeCommandsSoFar(ORDER_DETAIL_VIEW)];
    await work();
    return { driver: mongo.commands() - c0, metric: (await storeCommandsSoFar(ORDER_DETAIL_VIEW)) - m0 };
  }

  it('90 events of new orders in one batch: one insertMany instead of 90 writes, same documents', async () => {
    const envs = batchOf('n');
    const ops = envs.flatMap((e) => projection.project(e));
    const coalesced = await counted(() => applyOps(db, namesFor(1), ops, undefined));
    const oneByOne = await counted(async () => {
      for (const op of ops) await applyOps(db, namesFor(2), [op], undefined);
    });
    expect(coalesced.driver).toBe(1);
    expect(coalesced.metric).toBe(coalesced.driver);
    expect(oneByOne.driver).toBe(90);
    expect(await docs(1)).toEqual(expected(envs));
    expect(await docs(2)).toEqual(expected(envs));
  });

  it('orders placed in an earlier batch: one read and one guarded write per order (replaces in bulks of 8)', async () => {
    const envs = batchOf('e');
    const first = envs.slice(0, 30);
    await applyOps(db, namesFor(1), first.flatMap((e) => projection.project(e)), undefined);
    const rest = envs.slice(30).flatMap((e) => projection.project(e));
    const cost = await counted(() => applyOps(db, namesFor(1), rest, undefined));
    expect(cost.driver).toBe(30 + Math.ceil(30 / 8)); // 30 findOne, 4 bulk replaces: 34 commands for 60 events
    expect(cost.metric).toBe(cost.driver);
    const mine = (await docs(1)).filter((d) => String(d['_id']).startsWith('e-'));
    expect(mine).toEqual(expected(envs));
  });

  it('a redelivered batch reads and writes nothing new, and leaves the documents as they were', async () => {
    const envs = batchOf('r');
    const ops = envs.flatMap((e) => projection.project(e));
    await applyOps(db, namesFor(1), ops, undefined);
    const before = await docs(1);
    const cost = await counted(() => applyOps(db, namesFor(1), ops, undefined));
    expect(cost.driver).toBe(1 + 30); // the insertMany finds them there (duplicate keys), then reads them: nothing to write
    expect(await docs(1)).toEqual(before);
    // Half of it again, over documents that already hold all of it.
    await applyOps(db, namesFor(1), envs.slice(30, 60).flatMap((e) => projection.project(e)), undefined);
    expect(await docs(1)).toEqual(before);
  });
});
