import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../contracts/index.ts';
import { foldInMemory } from '../../../projector/memory/memoryViews.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { stampAdds, stampRanks, type WriteOp } from '../../../projector/projections/index.ts';
import { SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT_VIEW, salesBucketOf, salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { liveShard } from '../../../projector/runner/liveShard.ts';
import { envelope, orderConfirmed, orderPlaced } from '../../support/projectionFixtures.ts';
import { writerClients } from '../../support/writerClients.ts';

const projection = salesByProductProjection;
const names = namesFor(1);
const PARTITIONS = 1;
const apply = (db: Db, ops: WriteOp[]) => applyOps(db, names, ops, projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: PARTITIONS });

let n = 0;
/** The live runner's ops for one event of partition 0 at the next log position. */
const opsOf = (env: EventEnvelope): WriteOp[] => {
  const position = `${2000 + ++n}.${n}`;
  return stampRanks(stampAdds(projection.project(env), { shard: liveShard(env.type, 0), position }), position);
};
const placed = (id: string) => envelope(orderPlaced(id, { lines: [{ sku: 'DUP', quantity: 1, unitPriceMinor: 500 }] }), `order-${id}`, 1);
const confirmed = (id: string) => envelope(orderConfirmed(id, 500, new Date(Date.UTC(2024, 5, 1)).toISOString()), `order-${id}`, 4);

/**
 * Regression (chaos run3 on 1fc4464: sales_by_product lost order 3771b260 whole, its sales_orders
 * document never written): after a relay hand-over, partition 3 carried a duplicate OrderPlaced of
 * order 44c67b74 (offset 153) in the same batch as the OrderPlaced of 3771b260 (offset 154). Both
 * upserts went out as one unordered update command; the duplicate's guard refused it (duplicate key)
 * and FerretDB 1.x stops an update command at its first failing statement, even unordered, so the
 * next upsert never ran, while the duplicate-key-only error read as "already applied".
 */
describe('sales_by_product: a redelivered upsert beside a new one in one batch loses nothing (real FerretDB)', () => {
  const writers = writerClients('t_dup_upsert', projection, 1);

  it('writes the new order, and its confirmation counts, as a fresh fold does', async () => {
    const [db] = writers.dbs() as [Db];
    const events = [placed('a'), placed('a'), placed('b'), confirmed('b')];
    await apply(db, opsOf(events[0]!));
    await apply(db, [...opsOf(events[1]!), ...opsOf(events[2]!)]); // the duplicate first, as on the partition
    await apply(db, opsOf(events[3]!));

    const fresh = foldInMemory(projection, events, { partitions: PARTITIONS });
    const read = async (view: string) => db.collection(names(view)).find().toArray();
    const byId = (docs: Document[]) => Object.fromEntries(docs.map((d) => [String(d['_id']), d]));
    expect(Object.keys(byId(fresh.docs(SALES_ORDERS_VIEW))).sort()).toEqual(['a', 'b']);
    expect(byId(await read(SALES_ORDERS_VIEW))).toEqual(byId(fresh.docs(SALES_ORDERS_VIEW)));
    const live = salesBucketOf('DUP', await read(SALES_BY_PRODUCT_VIEW), await read(SALES_RECENT_VIEW));
    expect(live?.unitsSold).toBe(1);
    expect(live).toEqual(salesBucketOf('DUP', fresh.docs(SALES_BY_PRODUCT_VIEW), fresh.docs(SALES_RECENT_VIEW)));
  }, 60_000);
});
