import pg from 'pg';
import { createDurableSandboxGateway, createSandboxGateway, createSagaWorker } from '../../command-side/index.ts';
import { createKafka } from '../../messaging/index.ts';
import { migrateDatabase } from '../database.ts';
import { loadSagaConfig } from '../sagaConfig.ts';
import { metrics } from '../../platform/index.ts';
import type { Role } from './role.ts';
import { STORE_TIMEOUTS, watchPoolErrors } from '../../platform/index.ts';

/**
 * `orderflow saga`: the fulfilment saga (consumer group `<prefix>saga.fulfilment`) and its
 * durable-timeout sweeper, paying through the sandbox gateway behind timeout, retry and circuit
 * breaker (`orderflow_payment_breaker_state`). Run several: partitions and timeout rows are shared out.
 */
export const sagaRole: Role = {
  name: 'saga',
  description: 'Fulfilment saga: stock ∥ payment → confirm or compensate, with durable timeouts',
  async start({ config, logger }) {
    const saga = loadSagaConfig(config.env);
    await migrateDatabase(config);
    const pool = watchPoolErrors(new pg.Pool({ connectionString: config.postgres.url, max: 16, connectionTimeoutMillis: 10_000, statement_timeout: STORE_TIMEOUTS.backgroundStatementMs }),
      (err) => logger.warn({ err }, 'saga postgres client error'));
    const latencyMs = saga.sandboxLatencyMs;
    const gateway = saga.gateway === 'sandbox' ? createDurableSandboxGateway({ pool, latencyMs }) : createSandboxGateway({ latencyMs });
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-saga`, logger });
    // Each worker is one consumer group member with its own kafkajs fetch loop, which fetches
    // again only once every batch of its last fetch is handled: several members in a process keep
    // a slow partition from holding up the partitions of the others.
    const workers = Array.from({ length: saga.consumers }, (_, i) => createSagaWorker({
      kafka,
      pool,
      gateway,
      logger,
      registry: metrics,
      topicPrefix: config.kafka.topicPrefix,
      partitions: config.kafka.topicPartitions,
      replicationFactor: config.kafka.topicReplication,
      timeoutMs: saga.timeoutMs,
      sweepIntervalMs: saga.sweepIntervalMs,
      sessionTimeout: saga.sessionTimeoutMs,
      inFlightPerPartition: saga.inFlightPerPartition,
      sweepTimeouts: i === 0,
      resilience: { timeoutMs: saga.gatewayTimeoutMs, breakerThreshold: saga.breakerThreshold, halfOpenAfterMs: saga.breakerHalfOpenMs },
    }));
    try {
      await Promise.all(workers.map((w) => w.start()));
    } catch (err) {
      await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
      await pool.end();
      throw err;
    }
    logger.info({ gateway: saga.gateway, timeoutMs: saga.timeoutMs }, 'saga role started');
    return {
      async stop() {
        await Promise.all(workers.map((w) => w.stop()));
        await pool.end();
      },
    };
  },
};
