import { createRelay } from '../../command-side/index.ts';
import { createKafka } from '../../messaging/index.ts';
import { migrateDatabase } from '../database.ts';
import { metrics } from '../../platform/index.ts';
import type { Role } from './role.ts';

/** `orderflow relay`: publishes committed events to Kafka; run several, one is active (advisory lock). */
export const relayRole: Role = {
  name: 'relay',
  description: 'Outbox relay: event log → Kafka (one active, others stand by)',
  async start({ config, logger }) {
    await migrateDatabase(config);
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-relay`, logger });
    const relay = createRelay({
      databaseUrl: config.postgres.url, kafka, logger, registry: metrics, topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplication, batchSize: config.relay.batchSize,
    });
    relay.start();
    return { stop: () => relay.stop() };
  },
};
