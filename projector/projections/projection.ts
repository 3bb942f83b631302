import type { z } from 'zod';
import { type EventEnvelope, type DomainEvent, type EventType, AppError } from '../../contracts/index.ts';

/**
 * What a projection may know about the event beyond its data. Deliberately derived
 * from the envelope only (no clock, no random ids), so replaying the same envelope
 * yields byte-identical write ops.
 */
export interface ProjectionContext {
  /** `envelope.streamId`. */
  readonly streamId: string;
  /** `envelope.streamVersion`: the version guard value written into the doc. */
  readonly v: number;
  /** `envelope.occurredAt`, normalised to `Date#toISOString()` form: used as `updatedAt`. */
  readonly at: string;
}

/**
 * One idempotent view write, against a LOGICAL view name (the adapter maps it to the
 * physical collection of the generation being written, so rebuilds can target a shadow).
 * - `insert`: a duplicate-key error means "already applied".
 * - `update`: `updateOne`, or `updateMany` when `many` is set (never with `upsert`).
 *   A guarded upsert that loses the race fails with duplicate key: also "already applied".
 *   Matching nothing is not an error: the guard said "not the next event for this doc".
 * - `recompute`: rebuild one bucket of a multi-stream view from its entries (see
 *   {@link BucketSpec}); `key` names the bucket.
 * - `recomputeFromEntries`: the event does not carry the bucket key (e.g. a cancellation
 *   does not carry the confirmation day), so recompute every bucket that owns an entry
 *   matching `entries` (a filter on `BucketSpec.entriesView`), using `BucketSpec.keyOfEntry`.
 *   Run it after the entry writes of the same event.
 */
export type WriteOp =
  | { kind: 'insert'; view: string; doc: Record<string, unknown> }
  | {
      kind: 'update';
      view: string;
      filter: Record<string, unknown>;
      update: Record<string, unknown>;
      upsert?: boolean;
      many?: boolean;
    }
  | { kind: 'recompute'; view: string; key: Record<string, unknown> }
  | { kind: 'recomputeFromEntries'; view: string; entries: Record<string, unknown> }
  | AddOp
  | RankOp;

/**
 * Re-ranks one member (by `_id` in {@link RankedView.members}) in the lists of every bucket it
 * belongs to, from what its member document says after the batch's writes ({@link RankedView}).
 */
export interface RankOp {
  kind: 'rank';
  view: string;
  member: string;
  /**
   * Log position of the event, stamped by the live runner and the rebuild's drain (never by the
   * projection): a list shard that already holds an event at or after it is left as is, so the
   * partition's previous owner finishing an old batch late cannot overwrite what the new owner wrote
   * (see {@link RankedList.pos}). Unstamped (a dead letter's re-drive): written without that guard.
   */
  position?: string;
}

/**
 * Adds `add` to the sums of one bucket of a sharded view ({@link ShardedView}), at a cost that does
 * not depend on what the bucket holds. The adapter writes it into the bucket's shard of the
 * writer that owns the event (`at`, stamped by the runner, the replay or the drain, never by the
 * projection), guarded by the event's log position, so a redelivered or replayed event adds nothing.
 * With `via`, the rest of the key comes from fields of another document (a cancellation does not
 * carry its confirmation day; the order's entry does); no such document means nothing to adjust.
 */
export interface AddOp {
  kind: 'add';
  view: string;
  key: Record<string, string>;
  add: Record<string, number>;
  via?: { view: string; id: string; fields: readonly string[] };
  at?: ShardStamp;
}

/** Which shard an `add` lands in and the log position that guards it. */
export interface ShardStamp {
  /** `base` (a rebuild's fold), or `<family>.<partition>` (the one live writer of that partition). */
  shard: string;
  /** Log position ("xid.gp") of the event. */
  position: string;
}

/**
 * A view whose buckets are sums kept in shards: one document per (bucket, shard) with the log
 * position of the last event it holds; a bucket is the sum of its shards (summed on read).
 */
export interface ShardedView {
  view: string;
  /** Fields that name a bucket, in the order that forms its id (`day:currency`). */
  keyFields: readonly string[];
  /** Integer fields summed over shards. */
  sumFields: readonly string[];
  /**
   * With it, an `add` with `via` lands once per element of the `via` document's `array` (an order's
   * lines): the key takes `keyFields` from the element, and each sum `f` becomes `add[f]` (a sign)
   * times the element's `amounts[f]`.
   */
  perElement?: { array: string; keyFields: readonly string[]; amounts: Readonly<Record<string, string>> };
}

/**
 * The adds an `add` op stands for, once its `via` document (if any) is known: none when that
 * document is missing (nothing to adjust), one per element with {@link ShardedView.perElement},
 * else one with the key completed from the document's `via.fields`. Pure: the live adapter, the
 * in-memory fold and the tests' oracle all resolve adds with it.
 */
export function resolveAdds(spec: ShardedView, op: AddOp, via: Record<string, unknown> | null | undefined): { key: Record<string, string>; add: Record<string, number> }[] {
  if (!op.via) return [{ key: op.key, add: op.add }];
  if (!via) return [];
  const key = { ...op.key, ...Object.fromEntries(op.via.fields.map((f) => [f, String(via[f])])) };
  const each = spec.perElement;
  if (!each) return [{ key, add: op.add }];
  const elements: unknown = via[each.array];
  if (!Array.isArray(elements)) return [];
  return elements.map((el: Record<string, unknown>) => ({
    key: { ...key, ...Object.fromEntries(each.keyFields.map((f) => [f, String(el[f])])) },
    add: Object.fromEntries(Object.entries(op.add).map(([f, sign]) => [f, sign * Number(el[each.amounts[f] ?? f] ?? 0)])),
  }));
}

/** One member as a ranked list shows it: newest first by `at`, then by `id`. */
export interface RankItem {
  id: string;
  at: string;
  [field: string]: unknown;
}

/**
 * Per bucket, the `size` newest members (e.g. the last 10 counted orders of a SKU), kept exact at a
 * cost that does not depend on how many members the bucket has. A bucket's list is kept in shards,
 * one per writer ({@link RankedList}: `{ _id: bucket#shard, bucket, shard, items }`), the shard being
 * the Kafka partition of the member's stream, so every list document has exactly one writer: the live
 * projector of that partition, a rebuild's fold of a shadow, or a rebuild's drain during the
 * hand-over. A shard lists its own members' `size` newest, re-ranked once per batch from the touched
 * members' documents; a read merges the shards ({@link mergeRanked}): the `size` newest of the bucket
 * are among the union of each shard's `size` newest. Only when a listed member leaves a full shard
 * list is that list refilled from the shard's members (`newest`, an index range on MongoDB).
 */
export interface RankedView {
  view: string;
  /** Logical view of the member documents. */
  members: string;
  size: number;
  /** The stream whose events change a member (its partition names the member's list shard). */
  memberStream(memberId: string): { type: EventType; streamId: string };
  /** Buckets a member belongs to (whether listed or not). */
  bucketsOf(member: Record<string, unknown>): string[];
  /** What a member shows in `bucket`, or null when it is not to be listed there. */
  itemOf(member: Record<string, unknown>, bucket: string): RankItem | null;
  /** Filter and sort of the members listed in a bucket, newest first (what a refill reads). */
  newest(bucket: string): { filter: Record<string, unknown>; sort: Record<string, 1 | -1> };
}

/** One shard of a bucket's ranked list: the newest of the members one writer ranks. */
export interface RankedList {
  _id: string;
  bucket: string;
  shard: string;
  items: RankItem[];
  /**
   * Log position of the newest stamped rank op the list holds (absent: none yet, e.g. a list a
   * rebuild's fold wrote). Every stamped write sets it, changed items or not, so it says how far the
   * list's partition has been ranked. Not part of what reads or comparisons see.
   */
  pos?: string;
}

/** `_id` of a bucket's list shard. */
export function rankedListId(bucket: string, shard: string): string {
  return `${bucket}#${shard}`;
}

/**
 * A bucket's list as reads see it: its shards' items merged, newest first, at most `size` (a member
 * listed by two shards, e.g. after the partition count changed, counts once, with its newest item).
 * Pure.
 */
export function mergeRanked(lists: readonly Record<string, unknown>[], size: number): RankItem[] {
  const byId = new Map<string, RankItem>();
  for (const list of lists) {
    const items = Array.isArray(list['items']) ? (list['items'] as RankItem[]) : [];
    for (const it of items) {
      const seen = byId.get(it.id);
      if (!seen || rankOrder(it, seen) < 0) byId.set(it.id, it);
    }
  }
  return [...byId.values()].sort(rankOrder).slice(0, size);
}

/** Newest first: `at` descending, then `id` descending. */
export function rankOrder(a: RankItem, b: RankItem): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * One bucket's list after some of its members changed (`touched`: the member id and what it shows
 * now, null for "not listed"). `refill` says the result may miss members that were ranked below a
 * full list: read the bucket's newest members again. Pure.
 */
export function rerank(current: readonly RankItem[], touched: ReadonlyMap<string, RankItem | null>, size: number): { items: RankItem[]; refill: boolean } {
  const items = current.filter((it) => !touched.has(it.id));
  for (const it of touched.values()) if (it) items.push(it);
  items.sort(rankOrder);
  const cut = current.length >= size ? current[size - 1] : undefined;
  // A list shorter than `size` holds every member; a full one may have unlisted members ranked
  // below its last item (the cut): only items at or above the cut are known to be the newest.
  if (!cut) return { items: items.slice(0, size), refill: false };
  const known = items.filter((it) => rankOrder(it, cut) <= 0);
  return known.length >= size ? { items: known.slice(0, size), refill: false } : { items: known, refill: true };
}

/** Stamps the `rank` ops of one event with its log position (other ops pass through). Pure, like {@link stampAdds}. */
export function stampRanks(ops: WriteOp[], position: string): WriteOp[] {
  if (!ops.some((op) => op.kind === 'rank')) return ops;
  return ops.map((op) => (op.kind === 'rank' ? { ...op, position } : op));
}

/** The bucket id of a key: its key fields joined with `:`. */
export function bucketId(spec: ShardedView, key: Record<string, unknown>): string {
  return spec.keyFields.map((f) => String(key[f])).join(':');
}

/** Stamps the `add` ops of one event with where they land (other ops pass through). Pure: `ops` is not modified (returned as is when it has no `add`). */
export function stampAdds(ops: WriteOp[], at: ShardStamp): WriteOp[] {
  if (!ops.some((op) => op.kind === 'add')) return ops; // nothing to stamp: the same array, not a copy
  return ops.map((op) => (op.kind === 'add' ? { ...op, at } : op));
}

/**
 * Sums shard documents into one document per bucket (`_id` = bucket id, without `shard` and
 * `pos`), in first-seen order. Pure: what reads and comparisons see.
 */
export function sumShards(spec: ShardedView, shards: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>();
  for (const s of shards) {
    const id = bucketId(spec, s);
    let b = out.get(id);
    if (!b) {
      b = { _id: id };
      for (const f of spec.keyFields) b[f] = s[f];
      for (const f of spec.sumFields) b[f] = 0;
      out.set(id, b);
    }
    for (const f of spec.sumFields) b[f] = (b[f] as number) + (typeof s[f] === 'number' ? s[f] : 0);
  }
  return [...out.values()];
}


/** A physical index the adapter must create on every generation of a view. */
export interface IndexSpec {
  key: Record<string, 1 | -1>;
  unique?: boolean;
  name: string;
}

/** A logical view (collection) owned by a projection, with its indexes. */
export interface ViewSpec {
  name: string;
  indexes: IndexSpec[];
}

/** A bucket document produced by a recompute, with the revision that guards its `$set`. */
export interface RecomputedBucket<D extends { _id: string } = { _id: string } & Record<string, unknown>> {
  doc: D;
  /** Sum of the entries' `v`: only grows, so "store only if stored revision < this" is safe. */
  revision: number;
}

/**
 * How the adapter executes `recompute*` ops for a multi-stream view. Untyped at this
 * boundary because the adapter reads entries from storage; implementations validate them
 * and throw {@link ProjectionError} (`MALFORMED_DOC`) on documents they did not write.
 */
export interface BucketSpec {
  /** Logical view holding the buckets (the `view` of the recompute ops). */
  view: string;
  /** Logical view holding the entries. */
  entriesView: string;
  /** Filter selecting every entry of a bucket (counted or not: the revision needs them all). */
  entryFilter(key: Record<string, unknown>): Record<string, unknown>;
  /** The bucket key an entry belongs to. */
  keyOfEntry(entry: Record<string, unknown>): Record<string, unknown>;
  /** Pure fold of a bucket's entries into its document and revision. */
  recompute(key: Record<string, unknown>, entries: readonly Record<string, unknown>[]): RecomputedBucket;
}

/** A pure read-model projection: event in, write ops out. No I/O, no clock, no randomness. */
export interface Projection {
  /** Stable name; also the checkpoint key. */
  name: string;
  /** Bump when `project` or the doc shape changes: a stored lower version triggers a rebuild. */
  codeVersion: number;
  views: ViewSpec[];
  handles: readonly EventType[];
  /** Present for multi-stream views that use entries + recomputed buckets. */
  buckets?: BucketSpec;
  /** Present for multi-stream views of sums kept in shards (`add` ops). */
  sharded?: ShardedView;
  /** Present for per-bucket lists of the newest members (`rank` ops). */
  ranked?: RankedView;
  /** Write ops for one event; `[]` for events not in `handles`. Never throws for a valid envelope. */
  project(e: EventEnvelope): WriteOp[];
}

/** Envelope whose `data` is correlated with its `type`. */
export type EnvelopeOf<T extends EventType> = EventEnvelope<Extract<DomainEvent, { type: T }>>;

/** Discriminated union of the envelopes of types `T`: `switch (e.type)` narrows `e.data`. */
export type EnvelopesOf<T extends EventType> = { [K in T]: EnvelopeOf<K> }[T];

/**
 * Narrows an envelope to the types a projection handles, or `null` for the others.
 * The cast is sound because envelopes reach projections only through
 * `parseEventData(type, version, data)`, which validates data against type.
 */
export function pick<T extends EventType>(handles: readonly T[], e: EventEnvelope): EnvelopesOf<T> | null {
  return (handles as readonly EventType[]).includes(e.type) ? (e as EnvelopesOf<T>) : null;
}

/**
 * The context of an envelope.
 * @throws ProjectionError `INVALID_TIMESTAMP` if `occurredAt` is not a date (the envelope schema
 * only checks that it is non-empty).
 */
export function contextOf(e: EventEnvelope): ProjectionContext {
  return { streamId: e.streamId, v: e.streamVersion, at: isoInstant(e.occurredAt) };
}

/**
 * Normalises an ISO-8601 timestamp (any offset) to UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, whose
 * lexicographic order is time order: the views sort and paginate on these strings.
 * @throws ProjectionError `INVALID_TIMESTAMP` on an unparseable timestamp.
 */
export function isoInstant(ts: string): string {
  if (isCanonicalInstant(ts)) return ts;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) throw new ProjectionError('INVALID_TIMESTAMP', `not a timestamp: ${JSON.stringify(ts.slice(0, 64))}`);
  return new Date(ms).toISOString();
}

const CANONICAL_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * True when `ts` is already what `isoInstant` would return: the store writes every timestamp in
 * this form, so a replay skips a parse and a format per event. Days 29–31 take the slow path
 * (whether they exist depends on the month).
 */
function isCanonicalInstant(ts: string): boolean {
  return ts.length === 24 && CANONICAL_INSTANT.test(ts);
}

/** UTC calendar day `YYYY-MM-DD` of an ISO-8601 timestamp. @throws ProjectionError `INVALID_TIMESTAMP`. */
export function utcDay(ts: string): string {
  return isoInstant(ts).slice(0, 10);
}

/**
 * The exact-next guarded write for a per-stream doc: insert on streamVersion 1, otherwise
 * update only the doc whose `v` is exactly `v - 1` (duplicates and gaps become no-ops).
 * `first` builds the full initial doc; `next` the update WITHOUT `v` (added here).
 */
export function exactNext(
  view: string,
  id: string,
  ctx: ProjectionContext,
  first: () => Record<string, unknown>,
  next: { $set?: Record<string, unknown> } & Record<string, unknown>,
): WriteOp {
  if (ctx.v === 1) return { kind: 'insert', view, doc: { ...first(), _id: id, v: 1 } };
  return {
    kind: 'update',
    view,
    filter: { _id: id, v: ctx.v - 1 },
    update: { ...next, $set: { ...next.$set, v: ctx.v } },
  };
}

/** Failure kinds raised by pure projection code. None is retriable: same input, same failure. */
export type ProjectionErrorCode = 'INVALID_CURSOR' | 'MALFORMED_DOC' | 'INVALID_TIMESTAMP';

/** Typed, non-retriable error from the projection layer. */
export class ProjectionError extends AppError<ProjectionErrorCode> {
  override readonly name = 'ProjectionError';
  declare readonly retriable: false;

  constructor(code: ProjectionErrorCode, message: string) {
    super(code, message, false);
  }
}

/**
 * Validates a document read back from a view (entries handed to `BucketSpec.recompute`).
 * @throws ProjectionError `MALFORMED_DOC` if it is not a document this layer wrote.
 */
export function parseDoc<S extends z.ZodType>(schema: S, doc: unknown, what: string): z.output<S> {
  const r = schema.safeParse(doc);
  if (!r.success) throw new ProjectionError('MALFORMED_DOC', `malformed ${what}: ${r.error.message}`);
  return r.data;
}

/** Exhaustiveness check for `switch` statements over event types. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
