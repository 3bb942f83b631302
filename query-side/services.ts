import { MongoClient } from 'mongodb';
import pg from 'pg';
import { createEventStore, createCommandHandler, createPostgresPaymentVault, eventStorePorts } from '../command-side/index.ts';
import { createKafka } from '../messaging/index.ts';
import type { AppConfig, Logger } from '../platform/index.ts';
import type { AppServices } from './appContext.ts';
import { createTokenCodec } from './consistency/codec.ts';
import { createConsistencyTracker } from './consistency/tracker.ts';
import { createOperatorService } from './operators/operatorService.ts';
import { createSubscriptionHub } from './subscriptions/hub.ts';
import { createViewReader } from './views/viewReader.ts';
import { createCachedViewReader } from './views/cachedViewReader.ts';
import { ConfigError, STORE_TIMEOUTS, watchPoolErrors } from '../platform/index.ts';

/**
 * The API's long-lived services: command side (Postgres), view reader (Mongo, point reads through the
 * per-process view cache), consistency tracker and subscription hub (all three fed by the "view changed" topic). `stop` releases everything.
 */
export async function createAppServices(config: AppConfig, logger: Logger): Promise<{ services: AppServices; stop(): Promise<void> }> {
  const { signing, previousKeys, pollMs, maxWaitsPerPrincipal } = config.consistency;
  if (!signing) throw new ConfigError('ORDERFLOW_CONSISTENCY_KEY', 'invalid ORDERFLOW_CONSISTENCY_KEY: required to mint and check consistency tokens');
  const tokens = createTokenCodec({ signing, previous: previousKeys });
  const pool = watchPoolErrors(new pg.Pool({ connectionString: config.postgres.url, max: config.postgres.poolSize, connectionTimeoutMillis: 5000, statement_timeout: STORE_TIMEOUTS.apiStatementMs }),
    (err) => logger.warn({ err }, 'postgres pool error'));
  const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50, socketTimeoutMS: STORE_TIMEOUTS.apiMongoMs });
  await mongo.connect();
  const db = mongo.db(config.mongo.db);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-api`, logger });
  const admin = kafka.admin();
  await admin.connect();
  const partitionCounts = new Map<string, number>();
  const partitionsOf = async (topic: string): Promise<number> => {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = meta.topics[0]?.partitions.length ?? config.kafka.topicPartitions;
    partitionCounts.set(topic, n);
    return n;
  };
  const views = createCachedViewReader(createViewReader(db), config.viewCache);
  const tracker = createConsistencyTracker({ db, prefix: config.kafka.topicPrefix, partitionsOf, pollMs, maxWaitsPerPrincipal, logger });
  await tracker.seed();
  const hub = createSubscriptionHub({ kafka, prefix: config.kafka.topicPrefix, views, tracker, tokens, logger, partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplication });
  await hub.start();
  const commands = createCommandHandler({ store: createEventStore(pool, { groupCommit: config.groupCommit }) });
  const operators = createOperatorService({ db, events: eventStorePorts(pool), logger, partitions: config.kafka.topicPartitions });
  return {
    services: {
      commands, views, tracker, tokens, hub, operators, paymentVault: createPostgresPaymentVault(pool),
      consistencyTimeoutMs: config.consistencyTimeoutMs, trustedProxyHops: config.rateLimit.trustedProxyHops,
    },
    async stop() {
      tracker.stop();
      await operators.stop();
      await hub.stop();
      await admin.disconnect();
      await mongo.close();
      await pool.end();
    },
  };
}
