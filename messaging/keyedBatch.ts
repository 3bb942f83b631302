import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { runInKeyedLanes } from './keyedLanes.ts';
import { startHeartbeatTicker, StopRequested } from './retry.ts';

/** A message made ready: the key its order must be kept by, and its handling. */
export interface KeyedMessage {
  readonly key: string;
  /** `heartbeat` keeps the membership while it waits, and throws on a rebalance. */
  handle(heartbeat: () => Promise<void>): Promise<void>;
}

/**
 * Decodes one message of a batch into a {@link KeyedMessage}. Called for the whole batch before
 * anything runs, so it must not throw for a bad message: return work that dead-letters it instead.
 */
export type PrepareMessage = (topic: string, partition: number, message: KafkaMessage) => KeyedMessage;

/** Options of {@link keyedBatch}. */
export interface KeyedBatchOptions {
  heartbeatMs: number;
  isStopping(): boolean;
  /** Messages of one partition in flight at once (those waiting behind their key included). 1 = strictly in order. */
  maxInFlight: number;
}

/**
 * An `eachBatch` (use with `eachBatchAutoResolve: false`) that handles a batch's messages
 * concurrently by key ({@link runInKeyedLanes}): messages of one key one after the other, in
 * partition order, other keys beside them, at most `maxInFlight` at once. An offset is resolved
 * only when it and every message before it in the batch are done, so a commit never passes an
 * unfinished message; kafkajs is asked to commit when its auto-commit interval is due (and commits
 * the resolved offsets at the end of the batch). A background heartbeat runs meanwhile. When the
 * consumer stops (`isStopping`, `!isRunning`, `isStale`, or a handler throws
 * {@link StopRequested}) nothing more starts, what runs is let finish, the offsets done are
 * committed and the rest of the batch is left unresolved, to be redelivered. Any other error (a
 * handler's, a lost heartbeat, a failed commit) also starts nothing more and, once what runs has
 * finished, propagates, so kafkajs retries from the first unresolved message: messages done
 * after that one are handled again, so handlers must be idempotent.
 */
export function keyedBatch(prepare: PrepareMessage, opts: KeyedBatchOptions): (payload: EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const ticker = startHeartbeatTicker(heartbeat, opts.heartbeatMs);
    const beat = async () => {
      ticker.check();
      await heartbeat();
    };
    let next: string | undefined;
    let committing: Promise<void> | undefined;
    let commitFailure: { error: unknown } | undefined;
    // At most one interval commit in flight: a later advance is covered by the next one, or by
    // kafkajs' commit at the end of the batch.
    const commitIfDue = () => {
      committing ??= commitOffsetsIfNecessary().catch((error: unknown) => {
        commitFailure ??= { error };
      }).finally(() => {
        committing = undefined;
      });
    };
    // A drain commits what it finished: kafkajs commits resolved offsets only when its interval is
    // due, so a worker stopped within that interval would leave its done work to be redelivered.
    // Best effort: a commit refused by a rebalance only means a (harmless, idempotent) redelivery.
    const commitDone = async () => {
      if (next === undefined) return;
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] }).catch(() => undefined);
    };
    try {
      const work = batch.messages.map((message) => {
        const m = prepare(batch.topic, batch.partition, message);
        return { key: m.key, run: () => m.handle(beat) };
      });
      const outcome = await runInKeyedLanes(work, {
        maxInFlight: opts.maxInFlight,
        shouldStop: () => {
          ticker.check();
          if (commitFailure) throw commitFailure.error;
          return opts.isStopping() || !isRunning() || isStale();
        },
        onAdvance: (doneThrough) => {
          const offset = (batch.messages[doneThrough] as KafkaMessage).offset;
          resolveOffset(offset);
          next = (BigInt(offset) + 1n).toString();
          commitIfDue();
        },
      });
      await committing;
      if (outcome.kind === 'done') {
        if (commitFailure) throw commitFailure.error;
        return;
      }
      if (outcome.kind === 'stopped' || outcome.error instanceof StopRequested || opts.isStopping()) return await commitDone();
      throw outcome.error;
    } finally {
      ticker.stop();
    }
  };
}
