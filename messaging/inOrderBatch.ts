import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { startHeartbeatTicker, StopRequested } from './retry.ts';

/** Handles one message; `heartbeat` keeps the membership while it waits, and throws on a rebalance. */
export type MessageHandler = (topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) => Promise<void>;

/**
 * An `eachBatch` (use with `eachBatchAutoResolve: false`) that handles a batch's messages one by
 * one, in order, and resolves each offset only after its handler returned, asking kafkajs to
 * commit when its auto-commit interval is due (and it commits the resolved offsets at the end of
 * the batch). A background heartbeat runs meanwhile. When the consumer stops (`isStopping`, or
 * the handler throws {@link StopRequested}) the rest of the batch is left unresolved, to be
 * redelivered. Any other error from the handler propagates, so kafkajs retries from the first
 * unresolved message.
 */
export function inOrderBatch(handle: MessageHandler, opts: { heartbeatMs: number; isStopping(): boolean }): (payload: EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const ticker = startHeartbeatTicker(heartbeat, opts.heartbeatMs);
    const beat = async () => {
      ticker.check();
      await heartbeat();
    };
    try {
      for (const message of batch.messages) {
        if (opts.isStopping() || !isRunning() || isStale()) return;
        ticker.check();
        await handle(batch.topic, batch.partition, message, beat);
        resolveOffset(message.offset);
        await commitOffsetsIfNecessary();
      }
    } catch (err) {
      if (err instanceof StopRequested || opts.isStopping()) return;
      throw err;
    } finally {
      ticker.stop();
    }
  };
}
