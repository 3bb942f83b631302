import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { keyedBatch } from './keyedBatch.ts';

/** Handles one message; `heartbeat` keeps the membership while it waits, and throws on a rebalance. */
export type MessageHandler = (topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) => Promise<void>;

/**
 * An `eachBatch` (use with `eachBatchAutoResolve: false`) that handles a batch's messages one by
 * one, in order: a {@link keyedBatch} with one message in flight, so each offset is resolved only
 * after its handler returned, with the same heartbeat, drain and error handling.
 */
export function inOrderBatch(handle: MessageHandler, opts: { heartbeatMs: number; isStopping(): boolean }): (payload: EachBatchPayload) => Promise<void> {
  return keyedBatch((topic, partition, message) => ({ key: '', handle: (heartbeat) => handle(topic, partition, message, heartbeat) }), { ...opts, maxInFlight: 1 });
}
