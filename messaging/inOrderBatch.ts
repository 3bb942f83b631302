import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { startHeartbeatTicker, StopRequested } from './retry.ts';

/** Handles one message; `heartbeat` keeps the membership while it waits, and throws on a rebalance. */
export type MessageHandler = (topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) => Promise<void>;

/**
 * An `eachBatch` (use with `eachBatchAutoResolve: false`) that handles a batch's messages one by
 * one, in order, and resolves each offset only after its handler returned, asking kafkajs to
 * commit when its auto-commit interval is due (and it commits the resolved offsets at the end of
 * the batch). A background heartbeat runs meanwhile. When the consumer stops (`isStopping`, or
 * the handler throws {@link StopRequested}) the offsets already handled are committed and the rest
 * of the batch is left unresolved, to be redelivered. Any other error from the handler propagates, so kafkajs retries from the first
 * unresolved message.
 */
export function inOrderBatch(handle: MessageHandler, opts: { heartbeatMs: number; isStopping(): boolean }): (payload: EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const ticker = startHeartbeatTicker(heartbeat, opts.heartbeatMs);
    const beat = async () => {
      ticker.check();
      await heartbeat();
    };
    let next: string | undefined;
    // A drain commits what it finished: kafkajs commits resolved offsets only when its interval is
    // due, so a worker stopped within that interval would leave its done work to be redelivered.
    // Best effort: a commit refused by a rebalance only means a (harmless, idempotent) redelivery.
    const commitDone = async () => {
      if (next === undefined) return;
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] }).catch(() => undefined);
    };
    try {
      for (const message of batch.messages) {
        if (opts.isStopping() || !isRunning() || isStale()) return await commitDone();
        ticker.check();
        await handle(batch.topic, batch.partition, message, beat);
        resolveOffset(message.offset);
        next = (BigInt(message.offset) + 1n).toString();
        await commitOffsetsIfNecessary();
      }
    } catch (err) {
      if (err instanceof StopRequested || opts.isStopping()) return await commitDone();
      throw err;
    } finally {
      ticker.stop();
    }
  };
}
