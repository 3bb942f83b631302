import { parseStreamId, type AggregateKind, formatPosition } from '../../contracts/index.ts';
import { fold, inventoryDecider, orderDecider, paymentDecider, productDecider, type Decider } from '../domain/aggregate.ts';
import type { EventStore, ReadStreamBound } from '../eventStore/eventStore.ts';

/** Folds a stream's events (already validated by the store, type by type) with one decider. */
type StreamFold = (events: readonly { type: string; data: unknown }[]) => unknown;

function folder<C, E, S>(decider: Decider<C, E, S>): StreamFold {
  // The store validated each event against its type on read, and a stream only holds its aggregate's family.
  return (events) => fold(decider, events as unknown as E[]);
}

/** The fold of each aggregate whose streams `streams show` can fold. */
const FOLDS: Readonly<Record<AggregateKind, StreamFold>> = {
  order: folder(orderDecider),
  inventory: folder(inventoryDecider),
  payment: folder(paymentDecider),
  product: folder(productDecider),
};

/** The aggregate owning a stream id (by prefix) and its fold, or undefined for a stream no decider owns. */
export function aggregateOfStream(streamId: string): { aggregate: string; id: string; fold: StreamFold } | undefined {
  const parsed = parseStreamId(streamId);
  return parsed ? { aggregate: parsed.kind, id: parsed.id, fold: FOLDS[parsed.kind] } : undefined;
}

/** One event of a stream's history. */
export interface HistoryEntry {
  version: number;
  type: string;
  occurredAt: string;
  position: string;
  eventId: string;
  correlationId: string;
  data: unknown;
}

/** A stream as of a moment or version: its history up to there and the state it folds to. */
export interface StreamAsOf {
  streamId: string;
  /** `order`, `inventory`, `payment`, `product`; null for a stream no decider owns (history only). */
  aggregate: string | null;
  bound: { at: string | null; version: number | null };
  /** Version reached within the bound (0: nothing had happened yet). */
  version: number;
  /** Events of the stream, whatever the bound (to tell "did not exist yet" from "never existed"). */
  headVersion: number;
  history: HistoryEntry[];
  /** Folded state, as plain JSON (maps become objects); null without a decider. */
  state: unknown;
}

/** Makes a folded state printable: Maps become objects, Sets arrays. */
export function toJsonable(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJsonable(x)]));
  if (v instanceof Set) return [...v].map(toJsonable);
  if (Array.isArray(v)) return v.map(toJsonable);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonable(x)]));
  return v;
}

/**
 * Reads a stream up to a moment (`occurredAt <= at`) and/or a version, and folds it with the
 * decider its prefix names (the same fold the command handler's `load` does). Returns undefined
 * when the stream has no events at all.
 */
export async function streamAsOf(store: Pick<EventStore, 'readStream'>, streamId: string, bound: ReadStreamBound = {}): Promise<StreamAsOf | undefined> {
  const all = await store.readStream(streamId);
  if (all.length === 0) return undefined;
  const within = all.filter((s) => (bound.maxVersion === undefined || s.envelope.streamVersion <= bound.maxVersion) && (bound.at === undefined || Date.parse(s.envelope.occurredAt) <= bound.at.getTime()));
  const owner = aggregateOfStream(streamId);
  const state = owner ? owner.fold(within.map((s) => ({ type: s.envelope.type, data: s.envelope.data }))) : null;
  return {
    streamId,
    aggregate: owner?.aggregate ?? null,
    bound: { at: bound.at?.toISOString() ?? null, version: bound.maxVersion ?? null },
    version: within.at(-1)?.envelope.streamVersion ?? 0,
    headVersion: all.at(-1)?.envelope.streamVersion ?? 0,
    history: within.map((s) => ({
      version: s.envelope.streamVersion, type: s.envelope.type, occurredAt: s.envelope.occurredAt, position: formatPosition(s.position),
      eventId: s.envelope.eventId, correlationId: s.envelope.correlationId, data: s.envelope.data,
    })),
    state: toJsonable(state),
  };
}
