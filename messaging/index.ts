// Public edge of messaging (Kafka plumbing shared by the relay, projectors, saga, notifications and the API).
export { decodeEvent, encodeEvent, H, header, type WireEvent } from './codec.ts';
export { joinConsumerGroup } from './consumerGroup.ts';
export { publishDeadLetter, type DeadLetterInput, type PublishedDeadLetter } from './deadLetter.ts';
export { fenceGroupMembers, type FenceOptions, type FenceOutcome, type GroupMember } from './groupFencing.ts';
export { inOrderBatch, type MessageHandler } from './inOrderBatch.ts';
export { keyedBatch, type KeyedBatchOptions, type KeyedMessage, type PrepareMessage } from './keyedBatch.ts';
export { createKafka, createOrderedProducer } from './kafka.ts';
export { announceGroupMember, isGroupMemberMessage, SUPERVISOR_IPC_ENV, type GroupMemberMessage } from './memberAnnouncement.ts';
export { partitionOf } from './partitioning.ts';
export { isTransientInfraError, retryUntilDone, startHeartbeatTicker, StopRequested, type FailureKind, type RetryOptions } from './retry.ts';
export { deadLetterTopic, ensureTopics, eventTopics, familyTopic, unroutableTopic, viewChangedTopic } from './topics.ts';
