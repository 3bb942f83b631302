import { Partitioners, type PartitionerArgs } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a keyed message lands in, computed exactly as our producer does (kafkajs' default,
 * Java-compatible murmur2 partitioner), so a reader can tell which partition holds a stream.
 */
export function partitionOf(key: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  const args: PartitionerArgs = { topic: 't', partitionMetadata, message: { key, value: null } };
  return partitioner(args);
}
