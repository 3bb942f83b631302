import { createHash, randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import { CURRENT_VERSION, type DomainEvent, START, type LogPosition } from '../../contracts/index.ts';
import { CORRELATION_ID, currentTraceparent, parentContext, withSpan } from '../../platform/index.ts';
import type { Decider } from '../domain/aggregate.ts';
import type { EventStore, NewEvent } from '../eventStore/eventStore.ts';
import { findIdempotencyKey } from '../eventStore/sql/idempotency.ts';
import type { AtomicAppendOptions, IdempotencyClaim, StreamGuard, VaultEntry } from '../eventStore/sql/appendToStreamAtomic.ts';
import { ConcurrencyError, IdempotencyKeyReusedError, StaleGuardError } from './errors.ts';

/** Who and what caused a command: copied into every event's envelope. */
export interface CommandContext {
  correlationId: string;
  causationId?: string | null;
  traceparent?: string | null;
  /** Client-supplied key, already scoped (principal + mutation) by the caller. */
  idempotencyKey?: string;
  /** Extra envelope metadata (e.g. the principal's subject). */
  metadata?: Record<string, string>;
}

/** What a handled command produced. Stored verbatim for idempotent replays. */
export interface CommandResult {
  streamId: string;
  /** The stream's version after the command (unchanged when nothing was appended). */
  streamVersion: number;
  /** Log position of the stream's last event, for consistency tokens. */
  position: string;
  /** Types of the events appended by this call ([] for a no-op or an idempotent replay). */
  appended: string[];
}

/** Options of {@link createCommandHandler}. */
export interface CommandHandlerOptions {
  store: EventStore;
  /** @default () => new Date() */
  clock?: () => Date;
  /** @default "orderflow/command-side" */
  source?: string;
  /** Attempts when another writer wins the race for the same stream version. @default 8 */
  maxAttempts?: number;
  /** Streams whose folded state is kept to fold only newer events on the next load. @default 10000 */
  stateCacheSize?: number;
  /**
   * Only streams of at least this many events are kept: a short stream (an order's handful of events)
   * costs the same one read with or without its cached state, and keeping each would grow the cache
   * with every order placed until `stateCacheSize` (tens of MiB of folded orders in the saga). @default 16
   */
  stateCacheMinEvents?: number;
}

/** Per-call options of {@link CommandHandler.handle}. */
export interface HandleOptions {
  /** Pin the stream version the client saw; a mismatch is a CONFLICT with no retry. */
  expectedVersion?: number;
  /** The client's request as validated, hashed to tell a retry from a reused key. @default the command */
  request?: unknown;
  /** The stream is expected to be new (a generated id, a placeOrder): skip reading it; if it exists after all, the append loses and the retry reads. */
  assumeNew?: boolean;
  /**
   * Other streams the command was built from, at the versions it saw (e.g. catalogue prices): the
   * append only lands while they are unchanged, else {@link StaleGuardError} (nothing written).
   */
  guards?: readonly StreamGuard[];
  /** A card vault entry the append stores in its own statement (see `payments/paymentVault.ts`). */
  vaultEntry?: VaultEntry;
}

/** Runs commands: load → fold → decide → append, with retries and idempotency keys. */
export interface CommandHandler {
  /**
   * Handles one command against one aggregate instance. `command` may be a function of the
   * current state (for commands that need it, e.g. to look up what to release).
   * @throws DomainError when `decide` rejects; ConcurrencyError after `maxAttempts` lost races or when
   * `expectedVersion` is given and stale; StaleGuardError when a guard stream moved; IdempotencyKeyReusedError for a key reused with another request.
   */
  handle<C, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    id: string,
    command: C,
    ctx: CommandContext,
    opts?: HandleOptions,
  ): Promise<CommandResult>;
  /** Folds an aggregate's current state (or as of a version/time), with its version. */
  load<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, bound?: { at?: Date; maxVersion?: number }): Promise<{ state: S; version: number; position: string }>;
  readonly clock: () => Date;
}

function requestHash(streamId: string, command: unknown): string {
  return createHash('sha256').update(streamId).update(JSON.stringify(command)).digest('hex');
}

const positionText = (p: LogPosition) => `${p.transactionId}.${p.globalPosition}`;

/** Creates the command handler over an event store. */
export function createCommandHandler(options: CommandHandlerOptions): CommandHandler {
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const source = options.source ?? 'orderflow/command-side';
  const maxAttempts = options.maxAttempts ?? 8;
  const stateCacheSize = options.stateCacheSize ?? 10_000;
  const stateCacheMinEvents = options.stateCacheMinEvents ?? 16;

  // Folded states by stream, as of a version: a later load reads and folds only the events after
  // it. Events are immutable and versions dense, so an entry is never wrong, only behind; evolve is
  // pure, so a cached state is never mutated. Without it every saga step re-read and re-folded a
  // whole inventory stream (one event per order ever placed against that SKU).
  const states = new Map<string, { state: unknown; version: number; position: string }>();

  async function load<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, bound: { at?: Date; maxVersion?: number } = {}) {
    const streamId = decider.streamId(id);
    const latest = bound.at === undefined && bound.maxVersion === undefined;
    const cached = latest ? (states.get(streamId) as { state: S; version: number; position: string } | undefined) : undefined;
    const stored = await store.readStream(streamId, cached ? { afterVersion: cached.version } : bound);
    const last = stored.at(-1);
    // The stream's events are of the aggregate's own family: the store validated each one on read.
    const state = stored.reduce((s, e) => decider.evolve(s, { type: e.envelope.type, data: e.envelope.data } as E), cached?.state ?? decider.initialState);
    const version = last?.envelope.streamVersion ?? cached?.version ?? 0;
    const position = last ? positionText(last.position) : (cached?.position ?? positionText(START));
    if (latest && version >= stateCacheMinEvents && (states.get(streamId)?.version ?? 0) < version) {
      states.delete(streamId); // re-insert: the Map's order is the eviction order
      states.set(streamId, { state, version, position });
      if (states.size > stateCacheSize) states.delete(states.keys().next().value as string);
    }
    return { state, version, position };
  }

  function toNewEvents(events: readonly DomainEvent[], ctx: CommandContext): NewEvent[] {
    const occurredAt = clock().toISOString();
    return events.map((e) => ({
      eventId: randomUUID(),
      type: e.type,
      version: CURRENT_VERSION[e.type],
      data: e.data,
      metadata: ctx.metadata ?? {},
      source,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId ?? null,
      traceparent: ctx.traceparent ?? null,
      occurredAt,
    }));
  }

  /**
   * Runs one append inside an `eventStore.append` span (a child of the active span, else of the
   * command's `traceparent`). The events carry that span's traceparent, so every async hop after
   * (relay, projectors, saga, subscriptions) links back to the append. With no SDK the span is a
   * no-op that passes the parent's traceparent through unchanged.
   */
  function appendTraced<T>(streamId: string, ctx: CommandContext, append: (traceparent: string | null) => Promise<T>): Promise<T> {
    return otelContext.with(parentContext(ctx.traceparent), () =>
      withSpan('eventStore.append', { [CORRELATION_ID]: ctx.correlationId, 'orderflow.stream_id': streamId }, () => append(currentTraceparent() ?? ctx.traceparent ?? null)));
  }

  /** The first result stored under a key (an idempotent replay); undefined while the key is free. @throws IdempotencyKeyReusedError */
  async function firstResult(claim: IdempotencyClaim | undefined): Promise<CommandResult | undefined> {
    if (!claim) return undefined;
    const seen = await findIdempotencyKey(store.pool, claim.key, claim.requestHash);
    if (!seen.found) return undefined;
    if (!seen.sameRequest) throw new IdempotencyKeyReusedError(claim.key);
    return { ...(seen.result as unknown as CommandResult), appended: [] };
  }

  // The common case is one statement: (read the stream unless it is new,) decide, then one append
  // that also checks the guards and claims the key. The key is only looked up when something did
  // not go through (a lost race, a refusal, a no-op), since that is when it may be a retry.
  async function handle<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, command: C, ctx: CommandContext, opts: HandleOptions = {}): Promise<CommandResult> {
    const streamId = decider.streamId(id);
    const claim = ctx.idempotencyKey === undefined ? undefined : { key: ctx.idempotencyKey, requestHash: requestHash(streamId, opts.request ?? command) };
    const appendOptions: AtomicAppendOptions = { ...(claim && { idempotency: claim }), ...(opts.guards && { guards: opts.guards }), ...(opts.vaultEntry && { vaultEntry: opts.vaultEntry }) };
    for (let attempt = 1; ; attempt++) {
      // A stream id the server just made up cannot exist yet: skip the read (a clash would only
      // cost a retry, which reads).
      const { state, version, position } = opts.assumeNew && attempt === 1
        ? { state: decider.initialState, version: 0, position: positionText(START) }
        : await load(decider, id);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) {
        const first = await firstResult(claim);
        if (first) return first;
        throw new ConcurrencyError(streamId, opts.expectedVersion, version);
      }
      let events: E[];
      try {
        events = decider.decide(command, state);
      } catch (err) {
        // A retry whose first attempt already moved the state the decider now refuses.
        const first = await firstResult(claim);
        if (first) return first;
        throw err;
      }
      if (events.length === 0) return (await firstResult(claim)) ?? { streamId, streamVersion: version, position, appended: [] };
      const outcome = await appendTraced(streamId, ctx, (traceparent) =>
        store.append(streamId, version, toNewEvents(events, { ...ctx, traceparent }), appendOptions));
      if (outcome.ok) {
        const last = outcome.positions.at(-1);
        return { streamId, streamVersion: outcome.streamVersion, position: last ? positionText(last) : position, appended: events.map((e) => e.type) };
      }
      if (outcome.reason === 'STALE_GUARD') throw new StaleGuardError(outcome.stale);
      // Lost the key or the stream to a concurrent request: if that was our own retry, replay its result.
      const first = await firstResult(claim);
      if (first) return first;
      if (outcome.reason === 'KEY_EXISTS') continue;
      if (opts.expectedVersion !== undefined || attempt >= maxAttempts) throw new ConcurrencyError(streamId, version, outcome.actual);
      // Full-jitter exponential backoff spreads the losers of a race apart (capped at 250 ms).
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 4 * 2 ** attempt)));
    }
  }

  return { handle, load, clock };
}
