import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { dropGeneration, ensureIndexes, listGenerations, liveGeneration, physicalName, switchAlias } from '../mongo/generations.ts';
import { HANDOVER_MARKER } from '../mongo/shards.ts';
import type { Projection } from '../projections/index.ts';
import { LOG_START, type EventLogSource } from '../../contracts/index.ts';
import { compareGenerations, type GenerationComparison } from './compare.ts';
import {
  claimRebuild, endLease, LeaseLostError, newOwner, ownerMayBeAlive, RebuildInProgressError, renewLease,
  type RebuildDoc, type RebuildNumbers, type RebuildPhase,
} from './lease.ts';
import { progressNumbers } from './progress.ts';
import { drainInto, replayIntoGeneration } from './replay.ts';
import { resumePointOf, type ResumePoint } from './resume.ts';

/** What `onProgress` receives (also stored in the rebuild document for the GraphQL subscription). */
export interface RebuildProgress extends RebuildNumbers {
  projection: string;
  owner: string;
  phase: RebuildPhase;
  fromGeneration: number;
  targetGeneration: number;
  position: string;
  elapsedMs: number;
}

/** Options of {@link rebuildProjection}. */
export interface RebuildOptions {
  /** The event store, through the projector's port (`ops/eventLog.ts` implements it). */
  source: EventLogSource;
  db: Db;
  projection: Projection;
  logger: Logger;
  /** Events per read. @default 5000 */
  batchSize?: number;
  /** Partitions of the event topics: where the drain after the switch puts sums of a sharded view. @default 6 */
  partitions?: number;
  /**
   * The fold's window: documents untouched for this many events are written (a flush after every
   * batch that brings a quarter of it) and forgotten once written, so memory holds about this many
   * events' documents whatever the view's size. @default 10000
   */
  flushEveryEvents?: number;
  /** Start over even when a killed run left a generation this run could resume. @default false */
  fresh?: boolean;
  onProgress?(p: RebuildProgress): void;
  /** Compare shadow and live before switching, and report the differences. @default false */
  compare?: boolean;
  /** A lease whose heartbeat is older than this may be taken over. @default 30000 */
  leaseMs?: number;
  /** How often the lease is renewed and progress stored. @default 1000 */
  heartbeatMs?: number;
  /**
   * Wait after the switch before the last catch-up and dropping the old generation: longer than
   * the alias caches' TTL (≤ 1 s) plus a projector batch (retries included). @default 3000
   */
  switchGraceMs?: number;
  signal?: AbortSignal;
}

/** What a finished rebuild reports. */
export interface RebuildResult {
  projection: string;
  fromGeneration: number;
  toGeneration: number;
  /** Events replayed into the shadow before the switch (replay + catch-up). */
  eventsReplayed: number;
  /** Events re-applied after the switch (those the live projector wrote to the old generation meanwhile). */
  eventsAfterSwitch: number;
  /** Replay throughput: events per second over the replay phase (reads, projection and writes). */
  replayRate: number;
  elapsedMs: number;
  position: string;
  /** Present with `compare`: shadow vs live just before the switch. */
  comparison?: GenerationComparison;
  /** Generations dropped before the run (leftovers of interrupted rebuilds). */
  cleanedUp: number[];
  /** Set when this run continued a killed run's generation: where it resumed. */
  resumedFrom: ResumePoint | null;
}

/** A claimed, running rebuild. */
export interface StartedRebuild {
  owner: string;
  fromGeneration: number;
  targetGeneration: number;
  startedAt: string;
  done: Promise<RebuildResult>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });

/**
 * Claims the projection's rebuild lease, prepares the shadow generation and starts the rebuild;
 * resolves once the lease is held (the work continues in `done`).
 *
 * Steps: (1) claim the lease (`projection_rebuilds`, compare-and-set; a stale lease — finished, heartbeat
 * older than `leaseMs`, or owner process gone from this host — is taken over); (2) when the previous
 * run was killed before its switch after a flush ({@link resumePointOf}; not with `fresh`), continue
 * its generation from its last flushed position; otherwise create generation max+1 with its indexes;
 * either way drop every other generation but the live one (leftovers of interrupted runs); (3) replay
 * the event store into it at full speed with a streaming fold (bounded memory: finished documents are
 * written in chunks, and the lease records the flushed position); (4) optionally compare
 * with live; (5) catch up with the tail; (6) switch the alias (one compare-and-set write);
 * (7) wait `switchGraceMs`, then re-apply through the guarded adapter every event after the last
 * replayed position (those the live projector wrote to the old generation before it saw the switch);
 * (8) drop the old generation. Readers keep reading the old generation until (6).
 * @throws RebuildInProgressError when another run holds the lease.
 */
export async function beginRebuild(opts: RebuildOptions): Promise<StartedRebuild> {
  const { db, projection, source, signal } = opts;
  const leaseMs = opts.leaseMs ?? 30_000;
  const log = opts.logger.child({ component: 'rebuild', projection: projection.name });
  const live = await liveGeneration(db, projection);
  const existing = await listGenerations(db, projection);
  const me = newOwner();
  const now = new Date();
  const fresh: RebuildDoc = {
    _id: projection.name, ...me, status: 'running', phase: 'starting', startedAt: now.toISOString(), heartbeatAt: now.toISOString(), finishedAt: null,
    fromGeneration: live.generation, targetGeneration: 0, position: LOG_START, error: null, differences: null,
    eventsDone: 0, totalEstimate: 0, rate: 0, etaSeconds: null, flushedPosition: LOG_START, flushedEvents: 0, codeVersion: projection.codeVersion,
  };
  const claim = await claimRebuild(db, fresh, { leaseMs });
  if (!claim.ok) throw new RebuildInProgressError(claim.holder);
  const resume = resumePointOf(claim.previous, {
    liveGeneration: live.generation, codeVersion: projection.codeVersion, generations: existing, ownerGone: (d) => !ownerMayBeAlive(d), fresh: opts.fresh ?? false,
  });
  // Else a fresh number above anything a previous (maybe still running, if stale but alive) run used: its writes cannot land in ours.
  const target = resume?.generation ?? Math.max(live.generation, claim.previous?.targetGeneration ?? 0, ...existing) + 1;
  await renewLease(db, projection.name, me.owner, {
    targetGeneration: target, ...(resume && { flushedPosition: resume.position, flushedEvents: resume.events, position: resume.position, eventsDone: resume.events }),
  });
  if (claim.previous?.status === 'running') log.warn({ previousOwner: claim.previous.owner, resume }, resume ? 'took over a killed rebuild: resuming its generation' : 'took over a stale rebuild lease');

  const done = run();
  return { owner: me.owner, fromGeneration: live.generation, targetGeneration: target, startedAt: fresh.startedAt, done };

  async function run(): Promise<RebuildResult> {
    const startedMs = Date.now();
    let lost: Error | undefined;
    let phase: RebuildPhase = 'starting';
    let numbers: RebuildNumbers = { eventsDone: resume?.events ?? 0, totalEstimate: 0, rate: 0, etaSeconds: null };
    let position = resume?.position ?? LOG_START;
    let flushed = { flushedPosition: position, flushedEvents: resume?.events ?? 0 };
    let switched = false;
    const progress = (): RebuildProgress => ({
      projection: projection.name, owner: me.owner, phase, fromGeneration: live.generation, targetGeneration: target, position,
      elapsedMs: Date.now() - startedMs, ...numbers,
    });
    const publish = () => renewLease(db, projection.name, me.owner, { phase, position, ...numbers, ...flushed }).catch((err: unknown) => {
      if (err instanceof LeaseLostError) lost = err;
      else log.warn({ err }, 'could not store rebuild progress');
    });
    const setPhase = async (p: RebuildPhase) => {
      phase = p;
      opts.onProgress?.(progress());
      await publish();
      if (lost) throw lost;
    };
    const heartbeat = setInterval(() => void publish(), opts.heartbeatMs ?? 1000);
    heartbeat.unref();
    const checkLease = () => {
      if (lost) throw lost;
      signal?.throwIfAborted();
    };
    try {
      const cleanedUp = existing.filter((g) => g !== live.generation && g !== resume?.generation);
      for (const g of cleanedUp) await dropGeneration(db, projection, g);
      if (!resume) await dropGeneration(db, projection, target);
      await ensureIndexes(db, projection, target);
      if (cleanedUp.length > 0) log.info({ generations: cleanedUp }, 'dropped leftover generations of interrupted rebuilds');

      const total = await source.countEvents(projection.handles);
      const replayStartMs = Date.now();
      await setPhase('replaying');
      const resumed = resume?.events ?? 0;
      // The flushed position is what a killed run resumes from: store it as soon as it moves.
      const onFlush = (f: { position: string; events: number }) => {
        flushed = { flushedPosition: f.position, flushedEvents: f.events };
        return publish();
      };
      const replay = await replayIntoGeneration({
        source, db, projection, generation: target, batchSize: opts.batchSize, partitions: opts.partitions, flushEveryEvents: opts.flushEveryEvents, signal, onFlush,
        ...(resume && { from: resume.position, resumedEvents: resume.events }),
        onBatch: (b) => {
          checkLease();
          position = b.position;
          numbers = progressNumbers(resumed + b.events, total, replayStartMs, Date.now(), resumed);
          opts.onProgress?.(progress());
        },
      });
      const replayRate = replay.events / (Math.max(Date.now() - replayStartMs, 1) / 1000);
      let eventsReplayed = replay.events;
      log.info({ events: replay.events, rate: Math.round(replayRate), generation: target, storeReads: replay.storeReads, resumedFrom: resume }, 'replay finished');

      let comparison: GenerationComparison | undefined;
      if (opts.compare) {
        await setPhase('comparing');
        comparison = await compareGenerations(db, projection, live.generation, target);
        log.info({ differences: comparison.differences }, 'compared shadow with live');
        await renewLease(db, projection.name, me.owner, { differences: comparison.differences });
      }

      await setPhase('catching-up');
      const caught = await replayIntoGeneration({ source, db, projection, generation: target, fold: replay.fold, from: replay.position, batchSize: opts.batchSize, flushEveryEvents: opts.flushEveryEvents, signal, onFlush });
      position = caught.position;
      eventsReplayed += caught.events;
      numbers = { ...numbers, eventsDone: resumed + eventsReplayed, totalEstimate: Math.max(numbers.totalEstimate, resumed + eventsReplayed), etaSeconds: 0 };

      await setPhase('switching');
      checkLease();
      // Sums: live writers keep off the new generation until the drain below has added what they put in the old one.
      if (projection.sharded) await db.collection<{ _id: string }>(physicalName(projection.sharded.view, target)).insertOne({ _id: HANDOVER_MARKER });
      const moved = await switchAlias(db, projection, live.generation, target);
      if (!moved.ok) throw new Error(`the alias of ${projection.name} moved to generation ${moved.current?.generation ?? '?'} meanwhile; not switching`);
      switched = true;
      log.info({ from: live.generation, to: target }, 'switched to the rebuilt generation');

      // From here the new generation is live: finish even if aborted (dropping is all that is left).
      await setPhase('draining');
      await sleep(opts.switchGraceMs ?? 3000);
      const drained = await drainInto({ source, db, projection, generation: target, from: position, batchSize: opts.batchSize, partitions: opts.partitions });
      position = drained.position;
      if (projection.sharded) await db.collection<{ _id: string }>(physicalName(projection.sharded.view, target)).deleteOne({ _id: HANDOVER_MARKER });

      await setPhase('dropping');
      await dropGeneration(db, projection, live.generation);

      phase = 'done';
      numbers = { ...numbers, etaSeconds: 0 };
      opts.onProgress?.(progress());
      clearInterval(heartbeat);
      await endLease(db, projection.name, me.owner, 'done', { phase, position, ...numbers });
      return {
        projection: projection.name, fromGeneration: live.generation, toGeneration: target, eventsReplayed, eventsAfterSwitch: drained.events,
        replayRate, elapsedMs: Date.now() - startedMs, position, ...(comparison ? { comparison } : {}), cleanedUp, resumedFrom: resume,
      };
    } catch (err) {
      clearInterval(heartbeat);
      if (!switched && !(err instanceof LeaseLostError)) await dropGeneration(db, projection, target).catch(() => undefined);
      const aborted = signal?.aborted === true;
      const message = err instanceof Error ? err.message : String(err);
      await endLease(db, projection.name, me.owner, aborted ? 'aborted' : 'failed', { phase, position, error: message, ...numbers }).catch(() => undefined);
      if (aborted) log.warn({ phase, reason: message }, 'rebuild aborted');
      else log.error({ err, phase }, 'rebuild failed');
      throw err;
    }
  }
}

/**
 * Rebuilds a projection by replaying the event store into a new generation and switching to it
 * with no downtime (see {@link beginRebuild} for the steps and guarantees).
 * @throws RebuildInProgressError when another run holds the lease; ReplayProjectionError when the
 * projection throws for a stored event; LeaseLostError when the lease was taken over.
 */
export async function rebuildProjection(opts: RebuildOptions): Promise<RebuildResult> {
  return (await beginRebuild(opts)).done;
}
