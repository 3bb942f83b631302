import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../contracts/index.ts';
import { foldInMemory } from '../../../projector/memory/memoryViews.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { stampAdds, stampRanks, type WriteOp } from '../../../projector/projections/index.ts';
import { SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT_VIEW, salesBucketOf, salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { liveShard } from '../../../projector/runner/liveShard.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../support/projectionFixtures.ts';
import { gate, stalledWrites } from '../../support/stalledWrites.ts';
import { writerClients } from '../../support/writerClients.ts';

const projection = salesByProductProjection;
const names = namesFor(1);
/** One partition: every order is ranked in the same list shard, the one both owners write. */
const PARTITIONS = 1;
const apply = (db: Db, ops: WriteOp[]) => applyOps(db, names, ops, projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: PARTITIONS });

/** A logged event of partition 0 at log position `n`. */
interface Logged {
  envelope: EventEnvelope;
  position: string;
}
let n = 0;
const logged = (env: EventEnvelope): Logged => ({ envelope: env, position: `${1000 + ++n}.${n}` });
/** What the live runner applies for these events: the projection's ops, stamped as the worker stamps them. */
const opsOf = (events: readonly Logged[]): WriteOp[] =>
  events.flatMap((e) => stampRanks(stampAdds(projection.project(e.envelope), { shard: liveShard(e.envelope.type, 0), position: e.position }), e.position));

const at = (k: number) => new Date(Date.UTC(2024, 5, 1) + k * 60_000).toISOString();
const placed = (id: string) => logged(envelope(orderPlaced(id, { lines: [{ sku: 'HOT', quantity: 1, unitPriceMinor: 100 }] }), `order-${id}`, 1));
const confirmed = (id: string, k: number) => logged(envelope(orderConfirmed(id, 100, at(k)), `order-${id}`, 4));
const cancelled = (id: string) => logged(envelope(orderCancelled(id, 100, true), `order-${id}`, 6));

/**
 * Regression (chaos CI on 0fec667: sales_by_product differed from a fresh replay after project
 * SIGKILL/SIGTERM and engine restarts): a partition's previous owner that finishes an old batch after
 * the next owner redid it and moved on must change nothing. Here the old owner confirms order o13 and
 * stalls between reading the order and writing the SKU's recent list; the new owner, handed the
 * partition, gets that batch again (twice: a redelivery) and the next one — o13 and the newest
 * listed order cancelled, the cancel duplicated — then the old owner's write lands. The recent list
 * once put the cancelled o13 back: the new owner's list write, with nothing to change, was skipped,
 * and the old owner's retry after a lost compare-and-set re-ranked with what it had read before.
 */
describe('sales_by_product: a stalled old partition owner writing late changes nothing (real FerretDB)', () => {
  const writers = writerClients('t_stale_rank', projection);

  it('ends with the views of a fresh fold of the log: o13 not listed, not counted', async () => {
    const [oldOwner, newOwner] = writers.dbs() as [Db, Db];
    const ids = Array.from({ length: 13 }, (_, i) => `o${i + 1}`);
    const first = [...ids.map(placed), ...ids.slice(0, 12).map((id, i) => confirmed(id, i))];
    await apply(oldOwner, opsOf(first));

    const second = [confirmed('o13', 20)];
    const release = gate();
    const stalled = gate();
    const late = apply(stalledWrites(oldOwner, names(SALES_RECENT_VIEW), () => release.opened, { onHeld: stalled.open }), opsOf(second));
    // The old owner has written the order and its sums, read the order and the list: it waits to write the list.
    await stalled.opened;
    expect((await newOwner.collection(names(SALES_ORDERS_VIEW)).findOne({ _id: 'o13' } as Document))?.['counted']).toBe(true);

    const third = [cancelled('o13'), cancelled('o12')];
    await apply(newOwner, opsOf([...second, ...third]));
    await apply(newOwner, opsOf([...second, ...third, third[0]!])); // redelivered, the cancel duplicated
    release.open();
    await late;

    const all = [...first, ...second, ...third].map((e) => e.envelope);
    const fresh = foldInMemory(projection, all, { partitions: PARTITIONS });
    const read = async (view: string) => newOwner.collection(names(view)).find().toArray();
    const live = salesBucketOf('HOT', await read(SALES_BY_PRODUCT_VIEW), await read(SALES_RECENT_VIEW));
    const expected = salesBucketOf('HOT', fresh.docs(SALES_BY_PRODUCT_VIEW), fresh.docs(SALES_RECENT_VIEW));
    expect(expected?.recentOrders.map((o) => o.orderId)).toEqual(['o11', 'o10', 'o9', 'o8', 'o7', 'o6', 'o5', 'o4', 'o3', 'o2']);
    expect(live).toEqual(expected);
    const byId = (docs: Document[]) => Object.fromEntries(docs.map((d) => [String(d['_id']), d]));
    expect(byId(await read(SALES_ORDERS_VIEW))).toEqual(byId(fresh.docs(SALES_ORDERS_VIEW)));
  }, 120_000);
});
