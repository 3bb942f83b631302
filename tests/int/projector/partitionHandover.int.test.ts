import type { Db, Document } from 'mongodb';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../contracts/index.ts';
import { createKafka, encodeEvent } from '../../../messaging/index.ts';
import { foldInMemory } from '../../../projector/memory/memoryViews.ts';
import { applyOps } from '../../../projector/mongo/applyOps.ts';
import { namesFor } from '../../../projector/mongo/generations.ts';
import { SALES_BY_PRODUCT_VIEW, SALES_ORDERS_VIEW, SALES_RECENT_VIEW, salesBucketOf, salesByProductProjection } from '../../../projector/projections/sales_by_product.ts';
import { CHECKPOINTS } from '../../../projector/runner/checkpoints.ts';
import { createProjectorWorker, projectionTopics } from '../../../projector/runner/projectorWorker.ts';
import { kafkaBrokers, uniqueId } from '../../support/isolation.ts';
import { envelope, orderCancelled, orderConfirmed, orderPlaced } from '../../support/projectionFixtures.ts';
import { testLogger } from '../../support/relayHarness.ts';
import { gate, stalledWrites } from '../../support/stalledWrites.ts';
import { writerClients } from '../../support/writerClients.ts';

const projection = salesByProductProjection;
const names = namesFor(1);
/** One partition, so the whole stream is handed over. */
const PARTITIONS = 1;
/** The broker's smallest session: a member that stops heartbeating loses its partitions after it. */
const SESSION_MS = 6_000;
/** How long the test waits for the new owner to catch up before letting the stalled one go on. */
const STALL_BOUND_MS = 25_000;

let n = 0;
const at = (k: number) => new Date(Date.UTC(2024, 5, 1) + k * 60_000).toISOString();
const logged = (env: EventEnvelope) => ({ envelope: env, position: `${2000 + ++n}.${n}` });
const placed = (id: string) => logged(envelope(orderPlaced(id, { lines: [{ sku: 'HOT', quantity: 1, unitPriceMinor: 100 }] }), `order-${id}`, 1));
const confirmed = (id: string, k: number) => logged(envelope(orderConfirmed(id, 100, at(k)), `order-${id}`, 4));
const cancelled = (id: string) => logged(envelope(orderCancelled(id, 100, true), `order-${id}`, 6));

/** Polls `condition` until it holds (true) or `boundMs` passed (false). */
async function until(condition: () => Promise<boolean>, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

/**
 * Regression (chaos CI on 0fec667: sales_by_product differed from a fresh replay after project
 * SIGKILL/SIGTERM, a Kafka and a Postgres restart): two real projector workers of one group on real
 * Kafka and FerretDB. The first confirms order o13 and stalls between reading the list and writing
 * it (a starved process); a second worker joins, the stream goes on (o13 and the newest listed order
 * cancelled, one cancel delivered twice), and at last the stalled write lands. kafkajs heartbeats only
 * between batches: the stalled worker lost its partition while it kept writing, the new owner redid
 * its batch and went on, and the late list write put the cancelled o13 back. Now the stalled worker
 * keeps its membership (background heartbeats) and stops before its next write once the group
 * rebalances, and a late list write that finds the list moved on is dropped: the views equal a fresh
 * fold of the log whichever way the hand-over goes.
 */
describe('sales_by_product: a partition handed over while its owner is stalled mid-batch (real Kafka + FerretDB)', () => {
  const store = writerClients('t_handover', projection);
  const prefix = `${uniqueId('handover')}.`;
  let kafka: Kafka;
  let producer: Producer;
  const workers: { stop(): Promise<void> }[] = [];
  beforeAll(async () => {
    kafka = createKafka({ brokers: kafkaBrokers, clientId: 'handover-test', logger: testLogger });
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  const [topic] = projectionTopics(prefix, projection);
  const send = (events: readonly { envelope: EventEnvelope; position: string }[]) =>
    producer.send({ topic: topic!, acks: -1, messages: events.map((e) => encodeEvent({ envelope: e.envelope, position: e.position }, Date.now())) });
  const worker = (db: Db, writeViews?: Parameters<typeof createProjectorWorker>[0]['writeViews']) => {
    const w = createProjectorWorker({ kafka, db, projection, logger: testLogger, producer, topicPrefix: prefix, partitions: PARTITIONS, sessionTimeout: SESSION_MS, backoffMs: 20, writeViews });
    workers.push(w);
    return w;
  };

  it('ends equal to a fresh fold of the log', async () => {
    const [dbA, dbB] = store.dbs() as [Db, Db];
    let stalling = false;
    const stalled = gate();
    const release = gate();
    const landed = gate();
    const held = stalledWrites(dbA, names(SALES_RECENT_VIEW), () => (stalling ? release.opened : Promise.resolve()), {
      onHeld: () => stalling && stalled.open(),
      onLanded: () => stalling && landed.open(),
    });
    await worker(dbA, (nm, ops, p) => applyOps(held, nm, ops, p.buckets, p.sharded, { ranked: p.ranked, partitions: PARTITIONS })).start();

    const ids = Array.from({ length: 13 }, (_, i) => `o${i + 1}`);
    const first = [...ids.map(placed), ...ids.slice(0, 12).map((id, i) => confirmed(id, i))];
    await send(first);
    const listed = async () => ((await dbB.collection(names(SALES_RECENT_VIEW)).findOne({ bucket: 'HOT' }))?.['items'] as unknown[] | undefined)?.length === 10;
    expect(await until(listed, 60_000)).toBe(true);

    stalling = true;
    const second = [confirmed('o13', 20)];
    await send(second);
    await stalled.opened; // the first worker wrote o13 and its sums, read the list, and waits to write it

    // Not awaited: its join completes only once the stalled member rejoins (or the rebalance times out).
    const joining = worker(dbB).start();
    const third = [cancelled('o13'), cancelled('o12')];
    await send([...third, third[0]!]); // the cancel of o13 delivered twice
    const total = first.length + second.length + third.length + 1;
    const done = async () => (await dbB.collection<{ _id: string; next?: number }>(CHECKPOINTS).findOne({ _id: `${projection.name}:${topic!}:0` }))?.next === total;
    // Either the new owner catches up while the first worker is stalled, or (the first worker keeping
    // the partition) nothing moves until it goes on: then let it go on after a bound.
    await until(done, STALL_BOUND_MS);
    release.open();
    await landed.opened;
    await joining;
    expect(await until(done, 90_000)).toBe(true);

    const fresh = foldInMemory(projection, [...first, ...second, ...third].map((e) => e.envelope), { partitions: PARTITIONS });
    const read = (view: string) => dbB.collection(names(view)).find().toArray();
    const expected = salesBucketOf('HOT', fresh.docs(SALES_BY_PRODUCT_VIEW), fresh.docs(SALES_RECENT_VIEW));
    expect(expected?.recentOrders.map((o) => o.orderId)).toEqual(['o11', 'o10', 'o9', 'o8', 'o7', 'o6', 'o5', 'o4', 'o3', 'o2']);
    expect(salesBucketOf('HOT', await read(SALES_BY_PRODUCT_VIEW), await read(SALES_RECENT_VIEW))).toEqual(expected);
    const byId = (docs: Document[]) => Object.fromEntries(docs.map((d) => [String(d['_id']), d]));
    expect(byId(await read(SALES_ORDERS_VIEW))).toEqual(byId(fresh.docs(SALES_ORDERS_VIEW)));
  }, 180_000);
});
