import { createHash } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import { physicalName } from '../mongo/generations.ts';
import { mergeRanked, sumShards, type Projection, type RankedView, type ShardedView } from '../projections/index.ts';

/**
 * Fields left out of the content hash because they do not follow from the events. The views hold
 * none today (`updatedAt` is the event's own time, `revision` a sum of stream versions); a field
 * stamped with the wall clock would go here.
 */
export const VOLATILE_FIELDS: readonly string[] = [];

/**
 * Canonical JSON: object keys sorted at every depth (the store does not promise field order),
 * dates as ISO strings, other values as JSON. Two documents with the same content give the same text.
 */
export function canonicalJson(value: unknown, ignore: readonly string[] = []): string {
  const walk = (v: unknown, top: boolean): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (typeof v === 'object' && v !== null) {
      if (typeof (v as { toHexString?: unknown }).toHexString === 'function') return String((v as { toHexString(): string }).toHexString());
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (top && ignore.includes(k)) continue;
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = walk(x, false);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(walk(value, true));
}

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

async function hashes(db: Db, collection: string, ignore: readonly string[], shape: Shape): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (shape && 'ranked' in shape) {
    // A ranked view likewise: per bucket, its list shards merged (which writer lists a member follows from the partition count).
    const byBucket = new Map<string, Document[]>();
    for await (const doc of db.collection(collection).find({}, { batchSize: 5000 })) {
      const bucket = String(doc['bucket']);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), doc]);
    }
    for (const [bucket, lists] of byBucket) out.set(canonicalJson(bucket), docHash({ _id: bucket, items: mergeRanked(lists, shape.ranked.size) }, ignore));
    return out;
  }
  if (shape) {
    const { sharded } = shape;
    // A sharded view is compared by what reads see: its buckets (how the sums are spread over shards differs between a replay and the live writers).
    const shards = await db.collection(collection).find({}, { batchSize: 5000 }).toArray();
    for (const doc of sumShards(sharded, shards)) out.set(canonicalJson(doc['_id']), docHash(doc, ignore));
    return out;
  }
  for await (const doc of db.collection(collection).find({}, { batchSize: 5000 })) out.set(canonicalJson(doc['_id']), docHash(doc, ignore));
  return out;
}

function digest(h: Map<string, string>): string {
  const all = createHash('sha256');
  for (const [id, hash] of [...h].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) all.update(`${id}=${hash}\n`);
  return all.digest('hex');
}

/**
 * Compares every view of a projection between two generations, document by document: count and
 * sha256 of canonical content (without {@link VOLATILE_FIELDS}). Reads both generations whole.
 */
export async function compareGenerations(db: Db, projection: Projection, a: number, b: number, opts: { ignore?: readonly string[]; maxListed?: number } = {}): Promise<GenerationComparison> {
  const ignore = opts.ignore ?? VOLATILE_FIELDS;
  const maxListed = opts.maxListed ?? 20;
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
    views.push({
      view: view.name, countA: ha.size, countB: hb.size,
      onlyInA: ids(onlyInA), onlyInB: ids(onlyInB), different: ids(different),
      onlyInACount: onlyInA.length, onlyInBCount: onlyInB.length, differentCount: different.length,
      digestA: digest(ha), digestB: digest(hb),
    });
  }
  const differences = views.reduce((n, v) => n + v.onlyInACount + v.onlyInBCount + v.differentCount, 0);
  return { projection: projection.name, generationA: a, generationB: b, equal: differences === 0, differences, views };
}
