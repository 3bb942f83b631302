import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { createEventStore } from '../../../command-side/eventStore/eventStore.ts';
import { loadConfig, type AppConfig } from '../../../platform/config.ts';
import { migrateDatabase } from '../../../ops/database.ts';
import { projectRole } from '../../../ops/roles/project.ts';
import { ALIASES, physicalName, type AliasDoc } from '../../../projector/mongo/generations.ts';
import { detectStaleProjections } from '../../../projector/rebuild/index.ts';
import { seedOrderHistory, type SeededHistory } from '../../support/bulkOrders.ts';
import { freshPostgres, kafkaBrokers, mongoConnectionUrl, uniqueId } from '../../support/isolation.ts';
import { eventually } from '../../support/pipeline.ts';
import { testLogger } from '../../support/relayHarness.ts';

describe('a projection whose code version changed is detected and rebuilt at projector start', () => {
  let config: AppConfig;
  let pool: pg.Pool;
  let mongo: MongoClient;
  let db: Db;
  let seeded: SeededHistory;

  beforeAll(async () => {
    const databaseUrl = await freshPostgres('onstart');
    config = loadConfig({
      ORDERFLOW_ENV: 'test', DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers.join(','), ORDERFLOW_TOPIC_PREFIX: `${uniqueId('onstart')}.`,
      ORDERFLOW_TOPIC_PARTITIONS: '3', MONGO_URL: mongoConnectionUrl, MONGO_DB: uniqueId('onstart'), LOG_LEVEL: 'error',
    });
    await migrateDatabase(config);
    pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
    seeded = await seedOrderHistory(createEventStore(pool), { events: 400, customers: 20 });
    mongo = new MongoClient(mongoConnectionUrl);
    await mongo.connect();
    db = mongo.db(config.mongo.db);
    // Live views built by older code (orders_by_customer) and by newer code (order_detail, mid-rollout).
    const at = new Date().toISOString();
    await db.collection<AliasDoc>(ALIASES).insertMany([
      { _id: 'orders_by_customer', generation: 1, codeVersion: 0, switchedAt: at },
      { _id: 'order_detail', generation: 1, codeVersion: 99, switchedAt: at },
    ]);
  });
  afterAll(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
    await pool.end();
  });

  it('auto (the default outside production): rebuilds the one built by older code, never the one built by newer code', async () => {
    expect((await detectStaleProjections(db)).map((s) => [s.projection.name, s.direction])).toEqual([['order_detail', 'ahead'], ['orders_by_customer', 'behind']]);
    expect(config.projector.rebuildOnStart).toBe('auto');
    const role = await projectRole.start({ config, logger: testLogger });
    try {
      const alias = await eventually(async () => {
        const a = await db.collection<AliasDoc>(ALIASES).findOne({ _id: 'orders_by_customer' });
        return a?.codeVersion === 1 ? a : undefined;
      }, 30_000);
      expect(alias.generation).toBe(2);
      expect(await db.collection(physicalName('orders_by_customer', 2)).countDocuments()).toBe(seeded.orders);
      expect(await db.collection<AliasDoc>(ALIASES).findOne({ _id: 'order_detail' })).toMatchObject({ generation: 1, codeVersion: 99 });
      expect(await detectStaleProjections(db)).toHaveLength(1);
    } finally {
      await role.stop();
    }
  }, 60_000);
});
