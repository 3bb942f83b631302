import type { Db, Filter } from 'mongodb';
import { applyOps } from '../mongo/applyOps.ts';
import { liveGeneration, namesFor } from '../mongo/generations.ts';
import type { EventEnvelope, StreamSource } from '../../contracts/index.ts';
import { stampAdds, type Projection, type WriteOp } from '../projections/index.ts';
import { DEAD_LETTERS, type DeadLetterDoc } from './deadLetters.ts';

/** Status of a dead letter: `open` until retried (re-projected) or discarded by an operator. */
export type DeadLetterStatus = DeadLetterDoc['status'];

/** Operator bookkeeping added to a dead letter by retry and discard. */
export interface DeadLetterHandling {
  retries?: number;
  lastRetryAt?: string;
  lastRetryError?: string;
  retriedAt?: string;
  /** Stream version the re-drive reached. */
  retriedThrough?: number;
  /** Set on dead letters of the same stream that another one's re-drive covered. */
  coveredBy?: string;
  discardedAt?: string;
  discardReason?: string;
}

/** A dead letter as the operator tools see it. */
export type DeadLetter = DeadLetterDoc & DeadLetterHandling;

/** Filters of {@link listDeadLetters}. */
export interface DeadLetterQuery {
  projection?: string;
  status?: DeadLetterStatus;
  /** @default 100 */
  limit?: number;
}

const STATUSES: readonly DeadLetterStatus[] = ['open', 'retried', 'discarded'];

/** True for a valid dead-letter status. */
export function isDeadLetterStatus(s: string): s is DeadLetterStatus {
  return (STATUSES as readonly string[]).includes(s);
}

/** Dead letters, newest first, optionally of one projection and/or status. */
export function listDeadLetters(db: Db, q: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  const filter: Filter<DeadLetter> = {};
  if (q.projection !== undefined) filter.projection = q.projection;
  if (q.status !== undefined) filter.status = q.status;
  return db.collection<DeadLetter>(DEAD_LETTERS).find(filter).sort({ failedAt: -1, _id: 1 }).limit(q.limit ?? 100).toArray();
}

/** One dead letter by id, or null. */
export function getDeadLetter(db: Db, id: string): Promise<DeadLetter | null> {
  return db.collection<DeadLetter>(DEAD_LETTERS).findOne({ _id: id });
}

/** Why a dead-letter operation did nothing. */
export type DeadLetterRefusal =
  | { ok: false; reason: 'NOT_FOUND' }
  | { ok: false; reason: 'NOT_OPEN'; doc: DeadLetter }
  | { ok: false; reason: 'UNKNOWN_PROJECTION'; doc: DeadLetter }
  | { ok: false; reason: 'NO_STREAM'; doc: DeadLetter }
  | { ok: false; reason: 'FAILED'; doc: DeadLetter; error: string };

/**
 * Marks an open dead letter discarded (compare-and-set on `open`): the event stays skipped.
 */
export async function discardDeadLetter(db: Db, id: string, reason = 'discarded by operator', now = new Date()): Promise<{ ok: true; doc: DeadLetter } | DeadLetterRefusal> {
  const coll = db.collection<DeadLetter>(DEAD_LETTERS);
  const r = await coll.updateOne({ _id: id, status: 'open' }, { $set: { status: 'discarded', discardedAt: now.toISOString(), discardReason: reason } });
  const doc = await coll.findOne({ _id: id });
  if (!doc) return { ok: false, reason: 'NOT_FOUND' };
  return r.modifiedCount === 1 ? { ok: true, doc } : { ok: false, reason: 'NOT_OPEN', doc };
}

/** Outcome of a successful {@link retryDeadLetter}. */
export interface RetryOutcome {
  ok: true;
  doc: DeadLetter;
  generation: number;
  /** Events re-projected (from the dead event's version to the stream head). */
  eventsApplied: number;
  retriedThrough: number;
  /** Other open dead letters of the same stream and projection this re-drive covered. */
  covered: string[];
}

function streamOf(doc: DeadLetter): { streamId: string; streamVersion: number } | undefined {
  if (doc.streamId && doc.streamVersion) return { streamId: doc.streamId, streamVersion: doc.streamVersion };
  try {
    const raw = JSON.parse(doc.value) as { streamId?: unknown; streamVersion?: unknown };
    if (typeof raw.streamId === 'string' && typeof raw.streamVersion === 'number') return { streamId: raw.streamId, streamVersion: raw.streamVersion };
  } catch {
    // an undecodable message: nothing to re-drive from
  }
  return undefined;
}

/**
 * Re-drives an open dead letter after its cause was fixed, EXACTLY ONCE: while the event was dead,
 * the exact-next guard made the live projector skip every later event of its stream, so re-sending
 * the one event would leave the document behind. Instead the stream is read from the event store
 * from the dead event's version to its head, projected, and applied to the LIVE generation through
 * the guarded adapter (already-applied events are no-ops), re-reading until the head stops moving
 * (an event the live projector skipped meanwhile is picked up). Then the dead letter, and the
 * other open ones of the same stream it covered, are marked `retried`.
 * A projection that still throws changes nothing but `retries`/`lastRetryError`.
 */
export async function retryDeadLetter(args: {
  db: Db;
  id: string;
  streams: StreamSource;
  /** Resolves the dead letter's projection (the registry, or a test's own). */
  projectionFor(name: string): Projection | undefined;
  /** Partitions of the event topics (a ranked member's list shard). @default 6 */
  partitions?: number;
  now?: () => Date;
}): Promise<RetryOutcome | DeadLetterRefusal> {
  const { db, id, streams } = args;
  const now = args.now ?? (() => new Date());
  const coll = db.collection<DeadLetter>(DEAD_LETTERS);
  const doc = await coll.findOne({ _id: id });
  if (!doc) return { ok: false, reason: 'NOT_FOUND' };
  if (doc.status !== 'open') return { ok: false, reason: 'NOT_OPEN', doc };
  const projection = args.projectionFor(doc.projection);
  if (!projection) return { ok: false, reason: 'UNKNOWN_PROJECTION', doc };
  const where = streamOf(doc);
  if (!where) return { ok: false, reason: 'NO_STREAM', doc };
  const alias = await liveGeneration(db, projection);
  const names = namesFor(alias.generation);
  let head = where.streamVersion - 1;
  // Sums of a sharded view: the live projector applied the adds of every event it did not dead-letter,
  // so only dead events' adds are re-applied, each in a shard of its own dead letter (exactly once).
  const dead = new Map<number, string>([[where.streamVersion, doc._id]]);
  for (const o of await coll.find({ projection: doc.projection, streamId: where.streamId, status: 'open' }).toArray()) {
    if (o.streamVersion !== null) dead.set(o.streamVersion, o._id);
  }
  const project = (e: EventEnvelope): WriteOp[] => {
    if (!projection.handles.includes(e.type)) return [];
    const ops = projection.project(e);
    const dl = dead.get(e.streamVersion);
    return dl === undefined ? ops.filter((op) => op.kind !== 'add') : stampAdds(ops, { shard: `dlq:${dl}`, position: `0.${e.streamVersion}` });
  };
  try {
    for (let round = 0; round < 10; round++) {
      const events = await streams.readStream(where.streamId, where.streamVersion);
      const last = events.at(-1)?.streamVersion ?? head;
      if (events.length === 0 && round === 0) return { ok: false, reason: 'NO_STREAM', doc };
      if (round > 0 && last === head) break;
      await applyOps(db, names, events.flatMap(project), projection.buckets, projection.sharded, { ranked: projection.ranked, partitions: args.partitions ?? 6 });
      head = last;
    }
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await coll.updateOne({ _id: id }, { $set: { lastRetryAt: now().toISOString(), lastRetryError: error.slice(0, 2000) }, $inc: { retries: 1 } });
    return { ok: false, reason: 'FAILED', doc: (await coll.findOne({ _id: id })) ?? doc, error };
  }
  const at = now().toISOString();
  await coll.updateOne({ _id: id, status: 'open' }, { $set: { status: 'retried', retriedAt: at, lastRetryAt: at, retriedThrough: head }, $inc: { retries: 1 } });
  const others = await coll
    .find({ _id: { $ne: id }, projection: doc.projection, streamId: where.streamId, status: 'open', streamVersion: { $gte: where.streamVersion, $lte: head } })
    .toArray();
  for (const o of others) await coll.updateOne({ _id: o._id, status: 'open' }, { $set: { status: 'retried', retriedAt: at, retriedThrough: head, coveredBy: id } });
  return {
    ok: true, doc: (await coll.findOne({ _id: id })) ?? doc, generation: alias.generation,
    eventsApplied: head - where.streamVersion + 1, retriedThrough: head, covered: others.map((o) => o._id),
  };
}
