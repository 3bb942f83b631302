import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { ensureIndexes } from '../../projector/mongo/generations.ts';
import type { Projection } from '../../projector/projections/index.ts';
import { mongoConnectionUrl, uniqueId } from './isolation.ts';

/**
 * Registers `beforeAll`/`afterAll` hooks giving a test file `count` separate clients (as separate
 * processes would have) on one fresh database with `projection`'s generation-1 indexes; the database
 * is dropped afterwards. `dbs()` returns each client's handle on it (call it inside a test).
 */
export function writerClients(prefix: string, projection: Projection, count = 2): { dbs(): Db[] } {
  const clients: MongoClient[] = [];
  const dbName = uniqueId(prefix);
  beforeAll(async () => {
    for (let i = 0; i < count; i++) clients.push(await new MongoClient(mongoConnectionUrl).connect());
    await ensureIndexes(clients[0]!.db(dbName), projection, 1);
  });
  afterAll(async () => {
    await clients[0]?.db(dbName).dropDatabase().catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
  });
  return { dbs: () => clients.map((c) => c.db(dbName)) };
}
