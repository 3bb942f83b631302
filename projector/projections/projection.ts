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
  | { kind: 'recomputeFromEntries'; view: string; entries: Record<string, unknown> };

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
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) throw new ProjectionError('INVALID_TIMESTAMP', `not a timestamp: ${JSON.stringify(ts.slice(0, 64))}`);
  return new Date(ms).toISOString();
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
