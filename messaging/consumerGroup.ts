import type { Consumer, ConsumerRunConfig, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { gauge, reportFatal } from '../platform/index.ts';
import { fenceFormerMember } from './formerMember.ts';
import type { GroupMember } from './groupFencing.ts';
import { brokersOf } from './kafka.ts';
import { announceGroupMember } from './memberAnnouncement.ts';

/** Options of {@link joinConsumerGroup}. */
export interface ConsumerGroupOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  sessionTimeout: number;
  heartbeatInterval: number;
  /** @default true */
  fromBeginning?: boolean;
  /** Longest a fetch waits for data. @default 100 */
  maxWaitTimeInMs?: number;
  /** Names the consumer in crash logs, e.g. "saga". */
  name: string;
  logger: Logger;
  run: ConsumerRunConfig;
}

const consumerLag = gauge({
  name: 'orderflow_consumer_lag',
  help: 'Messages of a partition this process has not finished handling (the batch in hand and what follows it up to the partition end at its fetch), per consumer group',
  labelNames: ['group', 'topic', 'partition'],
});

/**
 * Connects a consumer (no topic auto-creation), subscribes, starts `run` and resolves once the
 * group is joined — so a caller can produce right after without racing the first assignment.
 * kafkajs restarts a retriable crash by itself; a crash it will not restart (it cannot rejoin its
 * group) is reported with {@link reportFatal}, which makes a role process exit non-zero so its
 * supervisor restarts it. Every join is announced to a supervisor ({@link announceGroupMember}), which
 * fences the member when the process dies. The lag of every batch, at its start and at its end, is the
 * `orderflow_consumer_lag` gauge.
 */
export async function joinConsumerGroup(opts: ConsumerGroupOptions): Promise<Consumer> {
  const consumer = opts.kafka.consumer({ groupId: opts.groupId, sessionTimeout: opts.sessionTimeout, heartbeatInterval: opts.heartbeatInterval, maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 100, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  let member: GroupMember | undefined;
  // A stop by the caller ends a fencing under way (see CRASH below).
  let stopped = false;
  consumer.on(consumer.events.STOP, () => {
    stopped = true;
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    member = { groupId: payload.groupId, memberId: payload.memberId };
    announceGroupMember(member);
    // Every join, rebalances and restarts included: when work stalls, this says when it came back.
    opts.logger.info({ memberId: payload.memberId, durationMs: payload.duration, leader: payload.isLeader }, `${opts.name} consumer joined its group`);
    resolve();
  }));
  // Set when a batch starts too: measured only after it, the lag of a consumer that fetches
  // everything there is and then takes a minute to handle it read 0 the whole minute.
  consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
    consumerLag.set({ group: opts.groupId, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLagLow));
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    consumerLag.set({ group: opts.groupId, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) {
      opts.logger.warn({ err: payload.error }, `${opts.name} consumer crashed; restarting`);
      // The restarted consumer is a new member: the one it was must not hold the rebalance up.
      const former = member;
      const brokers = brokersOf(opts.kafka);
      member = undefined;
      stopped = false; // kafkajs stopped the consumer itself (STOP) before this restart
      if (former && brokers) {
        const began = Date.now();
        void fenceFormerMember({ brokers: [...brokers], member: former, giveUp: () => stopped }).then((o) => {
          opts.logger.info({ memberId: former.memberId, outcome: o?.outcome, ms: Date.now() - began }, `${opts.name} consumer's former group member fenced`);
        });
      }
      return;
    }
    const owned = reportFatal({ source: `${opts.name} consumer ${opts.groupId}`, err: payload.error });
    opts.logger.fatal({ err: payload.error, restart: false, exiting: owned }, `${opts.name} consumer crashed and will not restart`);
  });
  await consumer.run(opts.run);
  await joined;
  return consumer;
}
