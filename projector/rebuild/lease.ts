import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';

/** Collection of rebuild leases and progress: one document per projection. */
export const REBUILDS = 'projection_rebuilds';

/** Where a rebuild is. */
export type RebuildPhase = 'starting' | 'replaying' | 'comparing' | 'catching-up' | 'switching' | 'draining' | 'dropping' | 'done';

/** How a rebuild ended (or that it has not). */
export type RebuildStatus = 'running' | 'done' | 'failed' | 'aborted';

/** Progress numbers, as published to the CLI and the `rebuildProgress` subscription. */
export interface RebuildNumbers {
  eventsDone: number;
  /** `count(*)` of the event store when the replay started (grows to `eventsDone` if passed). */
  totalEstimate: number;
  /** Events per second since the replay started. */
  rate: number;
  /** Seconds left at that rate; null when unknown. */
  etaSeconds: number | null;
}

/** The lease and progress document of a projection's rebuild. */
export interface RebuildDoc extends RebuildNumbers {
  /** The projection's name. */
  _id: string;
  /** Unique per rebuild run: `<host>:<pid>:<uuid>`. */
  owner: string;
  host: string;
  pid: number;
  status: RebuildStatus;
  phase: RebuildPhase;
  startedAt: string;
  /** Renewed every second or so while running; older than the lease means the owner is gone. */
  heartbeatAt: string;
  finishedAt: string | null;
  /** The live generation when the run started. */
  fromGeneration: number;
  /** The generation being built. */
  targetGeneration: number;
  /** Last log position replayed ("xid.gp"). */
  position: string;
  error: string | null;
  /** Compare summary (`--compare`): documents that differ between shadow and live. */
  differences: number | null;
  /** Every event up to this position is written to the target generation (a killed run resumes after it). */
  flushedPosition: string;
  /** How many events that is. */
  flushedEvents: number;
  /** `codeVersion` of the projection being rebuilt (a resumed run must fold with the same code). */
  codeVersion: number;
}

/** Outcome of {@link claimRebuild}. */
export type RebuildClaim =
  | { ok: true; doc: RebuildDoc; previous: RebuildDoc | null }
  | { ok: false; reason: 'HELD'; holder: RebuildDoc };

/** Someone else holds the projection's rebuild lease. Retriable once it ends or goes stale. */
export class RebuildInProgressError extends Error {
  override readonly name = 'RebuildInProgressError';
  readonly code = 'REBUILD_IN_PROGRESS';
  readonly retriable = true;
  constructor(readonly holder: RebuildDoc) {
    super(`a rebuild of ${holder._id} is already running (owner ${holder.owner}, heartbeat ${holder.heartbeatAt})`);
  }
}

/** This run lost its lease (it was taken over as stale): it must stop without switching. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  readonly code = 'LEASE_LOST';
  readonly retriable = false;
}

/** A fresh owner id for this process: `<host>:<pid>:<uuid>`. */
export function newOwner(): { owner: string; host: string; pid: number } {
  const host = hostname();
  return { owner: `${host}:${process.pid}:${randomUUID()}`, host, pid: process.pid };
}

/** True unless the process is known to be gone (same host and no such pid). */
export function ownerMayBeAlive(doc: Pick<RebuildDoc, 'host' | 'pid'>): boolean {
  if (doc.host !== hostname()) return true;
  if (doc.pid === process.pid) return true;
  try {
    process.kill(doc.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lease may be taken over: the run finished, or its heartbeat is older than `leaseMs`, or
 * its owner is a process of this host that no longer exists (a killed CLI). Pure but for the pid probe.
 */
export function isStale(doc: RebuildDoc, now: Date, leaseMs: number, alive: (d: RebuildDoc) => boolean = ownerMayBeAlive): boolean {
  if (doc.status !== 'running') return true;
  if (now.getTime() - Date.parse(doc.heartbeatAt) > leaseMs) return true;
  return !alive(doc);
}

/**
 * Claims the rebuild lease of `projection` for `fresh.owner`: insert when there is no document,
 * otherwise compare-and-set on the previous owner and heartbeat, allowed only when that lease is
 * stale ({@link isStale}). Two claimants racing for the same stale lease: exactly one wins.
 */
export async function claimRebuild(db: Db, fresh: RebuildDoc, opts: { leaseMs: number; now?: Date; alive?: (d: RebuildDoc) => boolean }): Promise<RebuildClaim> {
  const rebuilds = db.collection<RebuildDoc>(REBUILDS);
  for (let attempt = 0; attempt < 5; attempt++) {
    const previous = await rebuilds.findOne({ _id: fresh._id });
    if (!previous) {
      try {
        await rebuilds.insertOne(fresh);
        return { ok: true, doc: fresh, previous: null };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        continue; // someone inserted first: look again
      }
    }
    if (!isStale(previous, opts.now ?? new Date(), opts.leaseMs, opts.alive)) return { ok: false, reason: 'HELD', holder: previous };
    const { _id, ...rest } = fresh;
    const r = await rebuilds.updateOne({ _id, owner: previous.owner, heartbeatAt: previous.heartbeatAt }, { $set: rest });
    if (r.matchedCount === 1) return { ok: true, doc: fresh, previous };
  }
  const holder = await rebuilds.findOne({ _id: fresh._id });
  if (holder) return { ok: false, reason: 'HELD', holder };
  throw new Error(`could not claim the rebuild lease of ${fresh._id}`);
}

/**
 * Renews the lease and publishes progress.
 * @throws LeaseLostError when another run took the lease over.
 */
export async function renewLease(db: Db, projection: string, owner: string, fields: Partial<Omit<RebuildDoc, '_id' | 'owner'>>, now = new Date()): Promise<void> {
  const r = await db.collection<RebuildDoc>(REBUILDS).updateOne({ _id: projection, owner, status: 'running' }, { $set: { ...fields, heartbeatAt: now.toISOString() } });
  if (r.matchedCount !== 1) throw new LeaseLostError(`the rebuild lease of ${projection} was taken over`);
}

/** Ends the lease with a final status (no-op if it was taken over meanwhile). */
export async function endLease(db: Db, projection: string, owner: string, status: Exclude<RebuildStatus, 'running'>, fields: Partial<Omit<RebuildDoc, '_id' | 'owner'>>, now = new Date()): Promise<void> {
  await db.collection<RebuildDoc>(REBUILDS).updateOne(
    { _id: projection, owner },
    { $set: { ...fields, status, heartbeatAt: now.toISOString(), finishedAt: now.toISOString() } },
  );
}

/** The rebuild document of a projection (the current or last run), or null. */
export function readRebuild(db: Db, projection: string): Promise<RebuildDoc | null> {
  return db.collection<RebuildDoc>(REBUILDS).findOne({ _id: projection });
}
