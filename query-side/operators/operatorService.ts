import type { Db } from 'mongodb';
import { streamIdOf, type EventLogSource, type StreamSource } from '../../contracts/index.ts';
import type { Logger } from 'pino';
import { foldInMemory, ORDER_DETAIL_VIEW, orderDetailProjection, type OrderDetailDoc, projectionByName, projections, beginRebuild, readRebuild, type RebuildDoc, type StartedRebuild, listDeadLetters, type DeadLetter, type DeadLetterStatus, projectionStatuses, type ProjectionStatus } from '../../projector/index.ts';

/** What the operator resolvers use (one per API process). */
export interface OperatorService {
  statuses(): Promise<ProjectionStatus[]>;
  deadLetters(q: { projection?: string; status?: DeadLetterStatus }): Promise<DeadLetter[]>;
  /** The rebuild document (lease + progress) of a projection, or null. */
  rebuild(projection: string): Promise<RebuildDoc | null>;
  /**
   * Starts a rebuild in the background of this process; resolves once its lease is held.
   * @throws RebuildInProgressError when one is running; Error for an unknown projection.
   */
  startRebuild(name: string, compare: boolean): Promise<Omit<StartedRebuild, 'done'> & { projection: string }>;
  /**
   * The order_detail document of an order as of `at`: its stream read up to `at` from the event
   * store and folded in memory by the order_detail projection itself, so the answer has the live
   * view's exact shape. Null when the order had no event yet.
   */
  orderAsOf(orderId: string, at: Date): Promise<OrderDetailDoc | null>;
  /** Aborts background rebuilds that have not switched yet and waits for all of them. */
  stop(): Promise<void>;
}

/** Creates the operator service over the views database and the event store ports. */
export function createOperatorService(deps: { db: Db; events: EventLogSource & StreamSource; logger: Logger }): OperatorService {
  const { db, events, logger } = deps;
  const running = new Set<Promise<unknown>>();
  const abort = new AbortController();
  return {
    statuses: () => projectionStatuses(db, projections),
    deadLetters: (q) => listDeadLetters(db, { ...q, limit: 100 }),
    rebuild: (projection) => readRebuild(db, projection),
    async startRebuild(name, compare) {
      const projection = projectionByName(name);
      if (!projection) throw new Error(`no projection named ${name}`);
      const started = await beginRebuild({ source: events, db, projection, logger, compare, signal: abort.signal });
      const done = started.done.then(
        (r) => logger.info({ projection: name, generation: r.toGeneration, events: r.eventsReplayed, rate: Math.round(r.replayRate) }, 'rebuild finished'),
        (err: unknown) => logger.error({ err, projection: name }, 'rebuild failed'),
      );
      running.add(done);
      void done.finally(() => running.delete(done));
      const { done: _ignored, ...rest } = started;
      return { projection: name, ...rest };
    },
    async orderAsOf(orderId, at) {
      const stream = await events.readStream(streamIdOf('order', orderId), 1, { at });
      if (stream.length === 0) return null;
      const doc = foldInMemory(orderDetailProjection, stream).get(ORDER_DETAIL_VIEW, orderId);
      return (doc as OrderDetailDoc | undefined) ?? null;
    },
    async stop() {
      abort.abort(new Error('API stopping'));
      await Promise.all([...running]);
    },
  };
}
