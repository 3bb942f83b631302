import type { Db } from 'mongodb';
import { ALIASES, type AliasDoc } from '../mongo/generations.ts';
import { projections as all, type Projection } from '../projections/index.ts';
import { REBUILDS, type RebuildDoc } from '../rebuild/lease.ts';
import { readCheckpoints } from './checkpoints.ts';
import { DEAD_LETTERS, type DeadLetterDoc } from './deadLetters.ts';

/** Progress of one projection on one partition. */
export interface PartitionStatus {
  topic: string;
  partition: number;
  /** Next offset to consume. */
  offset: string;
  /** Partition end when the last batch was fetched. */
  highWatermark: string;
  /** `highWatermark - offset` as of the last batch (0 when caught up). */
  lag: number;
  /** Log position of the last event applied from this partition. */
  position: string;
  codeVersion: number;
  updatedAt: string;
}

/** Everything an operator asks about one projection. */
export interface ProjectionStatus {
  name: string;
  /** Version of the code this process runs. */
  codeVersion: number;
  /** Version of the code that built the live generation (null before the projection ever ran). */
  liveCodeVersion: number | null;
  /** `behind`: rebuild needed; `ahead`: built by newer code than this process runs. */
  stale: 'behind' | 'ahead' | null;
  generation: number | null;
  switchedAt: string | null;
  partitions: PartitionStatus[];
  /** Sum of the partitions' lag. */
  lag: number;
  deadLettersOpen: number;
  /** The newest dead letter's error, if any is open. */
  lastError: { error: string; failedAt: string; eventId: string | null; streamId: string | null } | null;
  /** The current or last rebuild. */
  rebuild: RebuildDoc | null;
}

/** Status of every projection (or the given ones), from the Mongo bookkeeping collections only. */
export async function projectionStatuses(db: Db, list: readonly Projection[] = all): Promise<ProjectionStatus[]> {
  const names = list.map((p) => p.name);
  const [aliases, rebuilds, checkpoints] = await Promise.all([
    db.collection<AliasDoc>(ALIASES).find({ _id: { $in: names } }).toArray(),
    db.collection<RebuildDoc>(REBUILDS).find({ _id: { $in: names } }).toArray(),
    readCheckpoints(db),
  ]);
  const dead = db.collection<DeadLetterDoc>(DEAD_LETTERS);
  return Promise.all(list.map(async (p): Promise<ProjectionStatus> => {
    const alias = aliases.find((a) => a._id === p.name);
    const partitions = checkpoints.filter((c) => c.projection === p.name).map((c) => ({
      topic: c.topic, partition: c.partition, offset: c.offset, highWatermark: c.highWatermark,
      lag: Math.max(0, Number(BigInt(c.highWatermark) - BigInt(c.offset))), position: c.position, codeVersion: c.codeVersion, updatedAt: c.updatedAt,
    }));
    const [open, last] = await Promise.all([
      dead.countDocuments({ projection: p.name, status: 'open' }),
      dead.find({ projection: p.name, status: 'open' }).sort({ failedAt: -1 }).limit(1).next(),
    ]);
    const liveCodeVersion = alias?.codeVersion ?? null;
    return {
      name: p.name, codeVersion: p.codeVersion, liveCodeVersion,
      stale: liveCodeVersion === null || liveCodeVersion === p.codeVersion ? null : liveCodeVersion < p.codeVersion ? 'behind' : 'ahead',
      generation: alias?.generation ?? null, switchedAt: alias?.switchedAt ?? null,
      partitions, lag: partitions.reduce((n, x) => n + x.lag, 0), deadLettersOpen: open,
      lastError: last ? { error: last.error, failedAt: last.failedAt, eventId: last.eventId, streamId: last.streamId } : null,
      rebuild: rebuilds.find((r) => r._id === p.name) ?? null,
    };
  }));
}
