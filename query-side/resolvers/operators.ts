import { type OrderDetailDoc, RebuildInProgressError, type RebuildDoc, isDeadLetterStatus, type DeadLetter, projectionByName } from '../../projector/index.ts';
import type { AppContext } from '../appContext.ts';
import { requireRole } from '../auth/access.ts';
import { badUserInput, conflict, notFound } from '../errors.ts';
import { createQueue } from '../subscriptions/queue.ts';
import { toOrder } from '../views/mappers.ts';

/** How often `rebuildProgress` polls the rebuild document (one small document per subscription). */
export const REBUILD_POLL_MS = 500;

const TERMINAL = new Set(['done', 'failed', 'aborted']);

/** GraphQL `RebuildProgress` from a rebuild document. */
export function toRebuildProgress(d: RebuildDoc) {
  return {
    projection: d._id, owner: d.owner, status: d.status, phase: d.phase, eventsDone: d.eventsDone, totalEstimate: d.totalEstimate,
    rate: d.rate, etaSeconds: d.etaSeconds, fromGeneration: d.fromGeneration, targetGeneration: d.targetGeneration, position: d.position,
    startedAt: d.startedAt, heartbeatAt: d.heartbeatAt, finishedAt: d.finishedAt, error: d.error, differences: d.differences,
  };
}

function toDeadLetter(d: DeadLetter) {
  return {
    id: d._id, projection: d.projection, status: d.status, streamId: d.streamId, streamVersion: d.streamVersion, eventId: d.eventId, type: d.type,
    error: d.error, attempts: d.attempts, failedAt: d.failedAt, topic: d.topic, partition: d.partition, offset: d.offset,
    retriedThrough: d.retriedThrough ?? null, coveredBy: d.coveredBy ?? null, lastRetryError: d.lastRetryError ?? null,
  };
}

function knownProjection(name: string): void {
  if (!projectionByName(name)) throw notFound('projection', name);
}

/**
 * Polls a projection's rebuild document every {@link REBUILD_POLL_MS} and yields it when it changed.
 * Completes once a run this subscription saw running has ended (its final state is yielded first);
 * a finished run found at subscribe time is yielded once, then it waits for the next run.
 */
function pollRebuild(ctx: AppContext, projection: string): AsyncIterableIterator<{ rebuildProgress: ReturnType<typeof toRebuildProgress> }> {
  let timer: NodeJS.Timeout | undefined;
  const q = createQueue<{ rebuildProgress: ReturnType<typeof toRebuildProgress> }>(16, () => clearInterval(timer));
  let last = '';
  const seenRunning = new Set<string>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const doc = await ctx.services.operators.rebuild(projection);
      if (!doc) return;
      const key = `${doc.owner}|${doc.status}|${doc.phase}|${doc.eventsDone}|${doc.heartbeatAt}`;
      if (key !== last) {
        last = key;
        q.push({ rebuildProgress: toRebuildProgress(doc) });
      }
      if (doc.status === 'running') seenRunning.add(doc.owner);
      else if (TERMINAL.has(doc.status) && seenRunning.has(doc.owner)) q.close();
    } catch (err) {
      ctx.logger.warn({ err, projection }, 'rebuild progress poll failed');
    } finally {
      busy = false;
    }
  };
  timer = setInterval(() => void tick(), REBUILD_POLL_MS);
  void tick();
  return q.iterator;
}

/** Operator-only queries, the rebuild mutation and the rebuild progress subscription. */
export const operatorResolvers = {
  Query: {
    async projectionStatus(_: unknown, _a: unknown, ctx: AppContext) {
      requireRole(ctx.principal, 'operator');
      const statuses = await ctx.services.operators.statuses();
      return statuses.map((s) => ({ ...s, rebuild: s.rebuild ? toRebuildProgress(s.rebuild) : null }));
    },
    async orderAsOf(_: unknown, a: { id: string; at: string }, ctx: AppContext) {
      requireRole(ctx.principal, 'operator');
      const ms = Date.parse(a.at);
      if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(a.at)) throw badUserInput('at must be an ISO-8601 time', [{ path: ['at'], message: 'expected e.g. 2026-03-01T14:00:00Z' }]);
      const doc: OrderDetailDoc | null = await ctx.services.operators.orderAsOf(a.id, new Date(ms));
      return doc ? toOrder(doc) : null;
    },
    async deadLetters(_: unknown, a: { projection?: string | null; status?: string | null }, ctx: AppContext) {
      requireRole(ctx.principal, 'operator');
      if (a.status != null && !isDeadLetterStatus(a.status)) throw badUserInput('unknown status', [{ path: ['status'], message: 'open, retried or discarded' }]);
      const list = await ctx.services.operators.deadLetters({
        ...(a.projection != null && { projection: a.projection }),
        ...(a.status != null && isDeadLetterStatus(a.status) && { status: a.status }),
      });
      return list.map(toDeadLetter);
    },
  },
  Mutation: {
    async rebuildProjection(_: unknown, a: { name: string; compare?: boolean | null }, ctx: AppContext) {
      requireRole(ctx.principal, 'operator');
      knownProjection(a.name);
      try {
        return await ctx.services.operators.startRebuild(a.name, a.compare ?? false);
      } catch (err) {
        if (err instanceof RebuildInProgressError) throw conflict(err.message, { owner: err.holder.owner, phase: err.holder.phase });
        throw err;
      }
    },
  },
  Subscription: {
    rebuildProgress: {
      subscribe(_: unknown, a: { projection: string }, ctx: AppContext) {
        requireRole(ctx.principal, 'operator');
        knownProjection(a.projection);
        return pollRebuild(ctx, a.projection);
      },
    },
  },
};
