import { familyOf, type EventType } from '../../contracts/index.ts';
import type { RankedView } from '../projections/index.ts';
import { partitionOf } from '../../messaging/index.ts';

/**
 * The shard of a sharded view that the one writer of an event's Kafka partition owns:
 * `<family>.<partition>`. The live projector knows the partition; a rebuild's drain computes it
 * from the stream id as the producer does, so both write the same shard with the same guard.
 */
export function liveShard(type: EventType, partition: number): string {
  return `${familyOf(type)}.${partition}`;
}

/** {@link liveShard} of a stream's event, computed (the topic must have `partitions` partitions). */
export function liveShardOf(type: EventType, streamId: string, partitions: number): string {
  return liveShard(type, partitionOf(streamId, partitions));
}

/**
 * The list shard a ranked member is ranked in: the Kafka partition of its stream, as the producer
 * computes it, so the one writer of that partition is the one writer of the list document.
 * `partitions` must match the topics (`ORDERFLOW_TOPIC_PARTITIONS`).
 */
export function rankShardOf(spec: RankedView, memberId: string, partitions: number): string {
  const { type, streamId } = spec.memberStream(memberId);
  return liveShardOf(type, streamId, partitions);
}
