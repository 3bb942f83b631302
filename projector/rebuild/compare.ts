import { createHash } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import { physicalName } from '../mongo/generations.ts';
import { mergeRanked, sumShards, type Projection, type RankedView, type ShardedView } from '../projections/index.ts';
import { canonicalJson } from './canonicalJson.ts';
import { documentDiff, type FieldDifference } from './documentDiff.ts';

export { canonicalJson };

/**
 * Fields left out of the content hash because they do not follow from the events. The views hold
 * none today (`updatedAt` is the event's own time, `revision` a sum of stream versions); a field
 * stamped with the wall clock would go here.
 */
export const VOLATILE_FIELDS: readonly string[] = [];

/** sha256 (hex) of a document's canonical JSON without the volatile fields. */
export function docHash(doc: Document, ignore: readonly string[] = VOLATILE_FIELDS): string {
  return createHash('sha256').update(canonicalJson(doc, ignore)).digest('hex');
}

/** How one logical view differs between two generations. */
export interface ViewComparison {
  view: string;
  countA: number;
  countB: number;
  /** Ids present only in A / only in B / in both with different content (first `maxListed` of each). */
  onlyInA: string[];
  onlyInB: string[];
  different: string[];
  /** Full counts of the three lists. */
  onlyInACount: number;
  onlyInBCount: number;
  differentCount: number;
  /** sha256 over the sorted per-document hashes: equal views have equal digests. */
  digestA: string;
  digestB: string;
  /** How the first few differing documents differ (`describe` of them), field by field. */
  samples: DocumentDifference[];
}

/** How one compared document differs between the two generations. */
export interface DocumentDifference {
  id: string;
  fields: FieldDifference[];
}

/** Result of {@link compareGenerations}. */
export interface GenerationComparison {
  projection: string;
  generationA: number;
  generationB: number;
  equal: boolean;
  /** Documents that differ, over all views (only-in-A + only-in-B + different). */
  differences: number;
  views: ViewComparison[];
}

/** How a view is compared: document by document, or by the bucket reads see (sums or ranked lists kept in shards). */
type Shape = { sharded: ShardedView } | { ranked: RankedView } | undefined;

/**
 * The documents of a view as they are compared, each under its canonical id: as stored, or, for a
 * sharded or ranked view, per bucket as reads see it (how a bucket is spread over shards follows
 * from who wrote it — a replay's base shard, the live writers' partition shards — and may differ).
 */
async function comparedDocs(db: Db, collection: string, shape: Shape, each: (id: string, doc: Document) => void): Promise<void> {
  if (shape && 'ranked' in shape) {
    const byBucket = new Map<string, Document[]>();
    for await (const doc of db.collection(collection).find({}, { batchSize: 5000 })) {
      const bucket = String(doc['bucket']);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), doc]);
    }
    for (const [bucket, lists] of byBucket) each(canonicalJson(bucket), { _id: bucket, items: mergeRanked(lists, shape.ranked.size) });
    return;
  }
  if (shape) {
    const shards = await db.collection(collection).find({}, { batchSize: 5000 }).toArray();
    for (const doc of sumShards(shape.sharded, shards)) each(canonicalJson(doc['_id']), doc);
    return;
  }
  for await (const doc of db.collection(collection).find({}, { batchSize: 5000 })) each(canonicalJson(doc['_id']), doc);
}

async function hashes(db: Db, collection: string, ignore: readonly string[], shape: Shape): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await comparedDocs(db, collection, shape, (id, doc) => out.set(id, docHash(doc, ignore)));
  return out;
}

/** The compared documents of `ids` only (a second pass, taken only when a view differs: hashes alone keep memory small). */
async function pick(db: Db, collection: string, shape: Shape, ids: ReadonlySet<string>): Promise<Map<string, Document>> {
  const out = new Map<string, Document>();
  await comparedDocs(db, collection, shape, (id, doc) => {
    if (ids.has(id)) out.set(id, doc);
  });
  return out;
}

function digest(h: Map<string, string>): string {
  const all = createHash('sha256');
  for (const [id, hash] of [...h].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) all.update(`${id}=${hash}\n`);
  return all.digest('hex');
}

/**
 * Compares every view of a projection between two generations, document by document: count and
 * sha256 of canonical content (without {@link VOLATILE_FIELDS}). Reads both generations whole, and
 * once more when they differ, to describe how the first `describe` (default 5) differing documents
 * of each view differ.
 */
export async function compareGenerations(db: Db, projection: Projection, a: number, b: number, opts: { ignore?: readonly string[]; maxListed?: number; describe?: number } = {}): Promise<GenerationComparison> {
  const ignore = opts.ignore ?? VOLATILE_FIELDS;
  const maxListed = opts.maxListed ?? 20;
  const describe = opts.describe ?? 5;
  const views: ViewComparison[] = [];
  for (const view of projection.views) {
    const shape: Shape = projection.sharded?.view === view.name ? { sharded: projection.sharded } : projection.ranked?.view === view.name ? { ranked: projection.ranked } : undefined;
    const [ha, hb] = await Promise.all([hashes(db, physicalName(view.name, a), ignore, shape), hashes(db, physicalName(view.name, b), ignore, shape)]);
    const onlyInA: string[] = [];
    const onlyInB: string[] = [];
    const different: string[] = [];
    for (const [id, hash] of ha) {
      const other = hb.get(id);
      if (other === undefined) onlyInA.push(id);
      else if (other !== hash) different.push(id);
    }
    for (const id of hb.keys()) if (!ha.has(id)) onlyInB.push(id);
    const ids = (list: string[]) => list.slice(0, maxListed).map((id) => String(JSON.parse(id) as unknown));
    const described = new Set([...different, ...onlyInA, ...onlyInB].slice(0, describe));
    const samples: DocumentDifference[] = [];
    if (described.size > 0) {
      const [da, db2] = await Promise.all([pick(db, physicalName(view.name, a), shape, described), pick(db, physicalName(view.name, b), shape, described)]);
      for (const id of described) samples.push({ id: String(JSON.parse(id) as unknown), fields: documentDiff(da.get(id), db2.get(id), { ignore }) });
    }
    views.push({
      view: view.name, countA: ha.size, countB: hb.size,
      onlyInA: ids(onlyInA), onlyInB: ids(onlyInB), different: ids(different),
      onlyInACount: onlyInA.length, onlyInBCount: onlyInB.length, differentCount: different.length,
      digestA: digest(ha), digestB: digest(hb), samples,
    });
  }
  const differences = views.reduce((n, v) => n + v.onlyInACount + v.onlyInBCount + v.differentCount, 0);
  return { projection: projection.name, generationA: a, generationB: b, equal: differences === 0, differences, views };
}
