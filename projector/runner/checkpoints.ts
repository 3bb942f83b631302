import type { Db } from 'mongodb';

/** Collection of per-partition projector checkpoints. */
export const CHECKPOINTS = 'projection_checkpoints';

/** Progress of one projection on one partition, written after the view write of each batch. */
export interface PartitionCheckpoint {
  _id: string;
  projection: string;
  topic: string;
  partition: number;
  /** Next Kafka offset to consume. */
  offset: string;
  /** Log position ("xid.gp") of the last event applied from this partition. */
  position: string;
  /** Partition end when the batch was fetched: lag = highWatermark - offset. */
  highWatermark: string;
  codeVersion: number;
  updatedAt: string;
}

/** Records a partition's progress; Kafka's own commit follows, so Mongo is never behind the commit. */
export async function saveCheckpoint(db: Db, cp: Omit<PartitionCheckpoint, '_id' | 'updatedAt'>): Promise<void> {
  const _id = `${cp.projection}:${cp.topic}:${cp.partition}`;
  await db.collection<PartitionCheckpoint>(CHECKPOINTS).updateOne({ _id }, { $set: { ...cp, updatedAt: new Date().toISOString() } }, { upsert: true });
}

/** Every partition checkpoint of a projection (or of all projections). */
export function readCheckpoints(db: Db, projection?: string): Promise<PartitionCheckpoint[]> {
  return db.collection<PartitionCheckpoint>(CHECKPOINTS).find(projection ? { projection } : {}).sort({ projection: 1, topic: 1, partition: 1 }).toArray();
}
