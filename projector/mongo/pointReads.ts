import type { Db, Filter } from 'mongodb';
import { countStoreCommands } from './commandMetrics.ts';
import type { ViewNames } from './generations.ts';

/** Documents read by `_id` once per batch, shared by the steps that need them (adds, ranks). */
export interface PointReads {
  /** The document (null when missing), read once: later calls share the first read. */
  get(view: string, id: string): Promise<Record<string, unknown> | null>;
}

/**
 * A per-batch cache of point reads by `_id` (never `$in`: FerretDB 1.24 scans the whole collection
 * for it). Create it after the batch's document writes, so it sees them.
 */
export function pointReads(db: Db, names: ViewNames): PointReads {
  const cache = new Map<string, Promise<Record<string, unknown> | null>>();
  return {
    get(view, id) {
      const k = `${view}\u0000${id}`;
      let hit = cache.get(k);
      if (!hit) {
        countStoreCommands(view);
        hit = db.collection<Record<string, unknown>>(names(view)).findOne({ _id: id } as unknown as Filter<Record<string, unknown>>);
        // Prefetched reads may never be awaited when an earlier step fails: their failure must not
        // become an unhandled rejection (the awaiting caller still sees it).
        hit.catch(() => undefined);
        cache.set(k, hit);
      }
      return hit;
    },
  };
}
