import type { Db } from 'mongodb';

/** Collection of per-partition projector checkpoints. */
export const CHECKPOINTS = 'projection_checkpoints';

const DUPLICATE_KEY = 11000;

/** Progress of one projection on one partition, written after the view write of each batch. */
export interface PartitionCheckpoint {
  _id: string;
  projection: string;
  topic: string;
  partition: number;
  /** Next Kafka offset to consume. */
  offset: string;
  /** `offset` as a number: what the compare-and-set compares (strings do not sort as numbers). */
  next?: number;
  /** Log position ("xid.gp") of the last event applied from this partition. */
  position: string;
  /** Partition end when the batch was fetched: lag = highWatermark - offset. */
  highWatermark: string;
  codeVersion: number;
  updatedAt: string;
}

/**
 * What a checkpoint write found: `advanced` (it moved forward), `already-there` (a redelivered
 * batch ended where the checkpoint already is), `ahead` (another consumer of the partition, after a
 * rebalance, got further: the checkpoint is left where it is, never moved back).
 */
export type CheckpointOutcome = 'advanced' | 'already-there' | 'ahead';

/** The outcome of moving a checkpoint to `next` when `stored` is there (pure; `undefined` = none yet). */
export function checkpointOutcome(stored: number | undefined, next: number): CheckpointOutcome {
  if (stored === undefined || stored < next) return 'advanced';
  return stored === next ? 'already-there' : 'ahead';
}

/**
 * Moves a partition's checkpoint forward by compare-and-set: one guarded upsert (`next < n`);
 * when the guard refuses it (duplicate key on the upsert), one read says whether it was already
 * there or another consumer is ahead. A checkpoint written before `next` existed is taken over once.
 * Kafka's own commit follows, so Mongo is never behind the commit.
 */
export async function advanceCheckpoint(db: Db, cp: Omit<PartitionCheckpoint, '_id' | 'updatedAt' | 'next'>): Promise<CheckpointOutcome> {
  const coll = db.collection<PartitionCheckpoint>(CHECKPOINTS);
  const _id = `${cp.projection}:${cp.topic}:${cp.partition}`;
  const next = Number(cp.offset);
  const doc = { ...cp, next, updatedAt: new Date().toISOString() };
  try {
    await coll.updateOne({ _id, next: { $lt: next } }, { $set: doc }, { upsert: true });
    return 'advanced';
  } catch (err) {
    if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
  }
  const stored = await coll.findOne({ _id });
  if (stored && typeof stored.next !== 'number') {
    const legacy = await coll.updateOne({ _id, next: { $exists: false } }, { $set: doc });
    if (legacy.modifiedCount === 1) return 'advanced';
    return advanceCheckpoint(db, cp);
  }
  return checkpointOutcome(stored?.next, next);
}

/** Every partition checkpoint of a projection (or of all projections). */
export function readCheckpoints(db: Db, projection?: string): Promise<PartitionCheckpoint[]> {
  return db.collection<PartitionCheckpoint>(CHECKPOINTS).find(projection ? { projection } : {}).sort({ projection: 1, topic: 1, partition: 1 }).toArray();
}
