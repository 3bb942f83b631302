import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, MongoClient } from 'mongodb';
import { freshMongo } from '../../support/isolation.ts';

describe('MongoDB wire protocol (real FerretDB through the official driver)', () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    ({ client, db } = await freshMongo('mongo'));
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('inserts, updates with $inc and queries', async () => {
    const counters = db.collection<{ _id: string; n: number; tag: string }>('counters');
    await counters.insertMany([
      { _id: 'a', n: 1, tag: 'x' },
      { _id: 'b', n: 10, tag: 'y' },
    ]);
    await counters.updateOne({ _id: 'a' }, { $inc: { n: 41 } });
    await counters.updateOne({ _id: 'c' }, { $inc: { n: 5 }, $setOnInsert: { tag: 'x' } }, { upsert: true });
    const xs = await counters.find({ tag: 'x' }).sort({ n: -1 }).toArray();
    expect(xs).toEqual([
      { _id: 'a', n: 42, tag: 'x' },
      { _id: 'c', n: 5, tag: 'x' },
    ]);
  });

  it('reports a duplicate key on a guarded upsert that misses (idempotency relies on it)', async () => {
    const docs = db.collection<{ _id: string; v: number }>('guarded');
    await docs.insertOne({ _id: 'o1', v: 3 });
    const err = await docs.updateOne({ _id: 'o1', v: { $lt: 2 } }, { $set: { v: 2 } }, { upsert: true }).catch((e: { code?: number }) => e);
    expect((err as { code?: number }).code).toBe(11000);
    expect(await docs.findOne({ _id: 'o1' })).toEqual({ _id: 'o1', v: 3 });
  });
});
