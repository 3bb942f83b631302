import type { Db } from 'mongodb';
import type { Projection } from '../projections/index.ts';

/** Collection holding, per projection, which generation of its collections is live. */
export const ALIASES = 'projection_aliases';

/** The alias document of one projection. */
export interface AliasDoc {
  _id: string;
  generation: number;
  codeVersion: number;
  switchedAt: string;
}

/** Physical collection of a logical view in one generation. */
export function physicalName(view: string, generation: number): string {
  return `${view}__g${generation}`;
}

/**
 * Maps logical view names to the physical collections of a generation. A rebuild writes a new
 * generation and switches the alias document in one write, so all views of a projection switch
 * together (FerretDB has no multi-collection rename transaction).
 */
export type ViewNames = (view: string) => string;

/** Reads the live generation of a projection (creating generation 1 the first time). */
export async function liveGeneration(db: Db, projection: Projection): Promise<AliasDoc> {
  const aliases = db.collection<AliasDoc>(ALIASES);
  const found = await aliases.findOne({ _id: projection.name });
  if (found) return found;
  const first: AliasDoc = { _id: projection.name, generation: 1, codeVersion: projection.codeVersion, switchedAt: new Date().toISOString() };
  try {
    await aliases.insertOne(first);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  return (await aliases.findOne({ _id: projection.name })) ?? first;
}

/** Creates every index the projection declares on a generation's collections. */
export async function ensureIndexes(db: Db, projection: Projection, generation: number): Promise<void> {
  for (const view of projection.views) {
    const coll = db.collection(physicalName(view.name, generation));
    await db.createCollection(coll.collectionName).catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // NamespaceExists
    });
    // Only the missing ones, one per command: FerretDB 1.24 panics ("slice bounds out of range")
    // on a createIndexes of several specs that all exist already — i.e. on every projector restart.
    const existing = new Set((await coll.indexes()).map((i) => i.name));
    for (const i of view.indexes.filter((x) => !existing.has(x.name))) {
      await coll.createIndexes([{ key: i.key, name: i.name, ...(i.unique ? { unique: true } : {}) }]);
    }
  }
}

/** Resolves logical names of a projection's views for one generation. */
export function namesFor(generation: number): ViewNames {
  return (view) => physicalName(view, generation);
}

/**
 * Caches the alias of each projection for `ttlMs`, so hot paths (every query, every batch) do not
 * read it each time; a switch is seen within `ttlMs`.
 */
export function createAliasCache(db: Db, ttlMs = 1000) {
  const cache = new Map<string, { at: number; alias: AliasDoc }>();
  return {
    async get(projection: Projection): Promise<AliasDoc> {
      const hit = cache.get(projection.name);
      if (hit && Date.now() - hit.at < ttlMs) return hit.alias;
      const alias = await liveGeneration(db, projection);
      cache.set(projection.name, { at: Date.now(), alias });
      return alias;
    },
    invalidate(name?: string) {
      if (name) cache.delete(name);
      else cache.clear();
    },
  };
}

/** Outcome of {@link switchAlias}. */
export type AliasSwitch = { ok: true; alias: AliasDoc } | { ok: false; reason: 'MOVED_BY_OTHER'; current: AliasDoc | null };

/**
 * Points a projection's alias at generation `to`, compare-and-set on `from` being live: one write,
 * so readers and the live projector move to the new collections together (within their cache TTL).
 * If another process switched first, nothing changes and the caller learns what is live.
 */
export async function switchAlias(db: Db, projection: Projection, from: number, to: number, switchedAt: Date = new Date()): Promise<AliasSwitch> {
  const aliases = db.collection<AliasDoc>(ALIASES);
  const r = await aliases.updateOne({ _id: projection.name, generation: from }, { $set: { generation: to, codeVersion: projection.codeVersion, switchedAt: switchedAt.toISOString() } });
  if (r.matchedCount === 1) return { ok: true, alias: { _id: projection.name, generation: to, codeVersion: projection.codeVersion, switchedAt: switchedAt.toISOString() } };
  return { ok: false, reason: 'MOVED_BY_OTHER', current: await aliases.findOne({ _id: projection.name }) };
}

/** Generation numbers that have at least one collection of the projection's views, ascending. */
export async function listGenerations(db: Db, projection: Projection): Promise<number[]> {
  const views = new Set(projection.views.map((v) => v.name));
  const found = new Set<number>();
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const m = /^(.+)__g(\d+)$/.exec(c.name);
    if (m && views.has(m[1] ?? '')) found.add(Number(m[2]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Drops every collection of one generation of a projection (missing ones are fine). */
export async function dropGeneration(db: Db, projection: Projection, generation: number): Promise<void> {
  for (const view of projection.views) {
    await db.collection(physicalName(view.name, generation)).drop().catch((err: { code?: number; codeName?: string }) => {
      if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err;
    });
  }
}
