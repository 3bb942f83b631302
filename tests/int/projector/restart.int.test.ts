import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, MongoClient } from 'mongodb';
import { ensureIndexes } from '../../../projector/mongo/generations.ts';
import { projections } from '../../../projector/projections/index.ts';
import { freshMongo } from '../../support/isolation.ts';

describe('projector restart on existing views (real FerretDB)', () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    ({ client, db } = await freshMongo('restart'));
  });
  afterAll(() => client.close());

  it('regression: ensuring the indexes again (a restart) neither fails nor crashes the server', async () => {
    for (let start = 0; start < 3; start++) for (const p of projections) await ensureIndexes(db, p, 1);
    const names = (await db.collection('sales_orders__g1').indexes()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'recent']);
    expect((await db.command({ ping: 1 })).ok).toBe(1);
  });
});
