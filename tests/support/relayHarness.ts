import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { NewEvent } from '../../command-side/eventStore/eventStore.ts';
import { createRelay, type Relay } from '../../command-side/outbox/relay.ts';
import { createKafka } from '../../messaging/kafka.ts';
import { kafkaBrokers } from './isolation.ts';

/** A quiet logger for tests (errors only). */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'error' });

/** A relay for tests with fast polling. */
export function testRelay(databaseUrl: string, topicPrefix: string, extra: { brokers?: string[]; batchSize?: number } = {}): Relay {
  const kafka = createKafka({ brokers: extra.brokers ?? kafkaBrokers, clientId: 'relay-test' });
  return createRelay({ databaseUrl, kafka, logger: testLogger, topicPrefix, partitions: 3, pollIntervalMs: 200, lockRetryMs: 200, batchSize: extra.batchSize ?? 500 });
}

/** A StockRestocked event to append in bulk. */
export function restockEvent(sku: string, quantity = 1): NewEvent {
  return {
    eventId: randomUUID(), type: 'StockRestocked', version: 1, data: { sku, quantity }, metadata: {},
    source: 'test', correlationId: randomUUID(), causationId: null,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', occurredAt: new Date().toISOString(),
  };
}
