import { MongoClient } from 'mongodb';
import { createKafka } from '../../messaging/kafka.ts';
import { projections } from '../../projector/projections/index.ts';
import { createProjectorWorker } from '../../projector/runner/projectorWorker.ts';
import { metrics } from '../telemetry.ts';
import type { Role } from './role.ts';

/** `orderflow project`: every projection as its own consumer group; run N processes to spread partitions. */
export const projectRole: Role = {
  name: 'project',
  description: 'Projectors: Kafka → MongoDB views (one consumer group per projection)',
  async start({ config, logger }) {
    const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 10_000 });
    await mongo.connect();
    const db = mongo.db(config.mongo.db);
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-projector`, logger });
    const producer = kafka.producer();
    await producer.connect();
    const workers = projections.map((projection) => createProjectorWorker({
      kafka, db, projection, logger, producer, registry: metrics, topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplication, maxAttempts: config.projector.maxAttempts,
    }));
    await Promise.all(workers.map((w) => w.start()));
    return {
      async stop() {
        await Promise.all(workers.map((w) => w.stop()));
        await producer.disconnect();
        await mongo.close();
      },
    };
  },
};
