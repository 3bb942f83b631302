import type { Collection, Db, Document } from 'mongodb';
import type { Projection } from '../projections/projection.ts';
import { createAliasCache, namesFor } from './generations.ts';

/**
 * The one read port of the views: a view's collection in its projection's live generation. Readers
 * (the query side) go through it and the projections' query functions, never through the runner,
 * the rebuild or the physical collection names.
 */
export interface ViewReadPort {
  /** The live collection of `view` (a logical view name of `projection`). */
  collection<T extends Document>(projection: Projection, view: string): Promise<Collection<T>>;
}

/**
 * A read port over `db`. The live generation of each projection is cached for `aliasTtlMs`, so a
 * rebuild's switch is picked up within that time without a restart.
 */
export function createViewReadPort(db: Db, aliasTtlMs = 500): ViewReadPort {
  const aliases = createAliasCache(db, aliasTtlMs);
  return {
    async collection<T extends Document>(projection: Projection, view: string) {
      const { generation } = await aliases.get(projection);
      return db.collection<T>(namesFor(generation)(view));
    },
  };
}
