import { createHash, randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../contracts/envelope.ts';
import { CURRENT_VERSION, type DomainEvent } from '../../contracts/events/index.ts';
import { fold, type Decider } from '../domain/aggregate.ts';
import type { EventStore, NewEvent } from '../eventStore/eventStore.ts';
import { START, type LogPosition } from '../eventStore/position.ts';
import { claimIdempotencyKey, findIdempotencyKey, recordIdempotentResult } from '../eventStore/sql/idempotency.ts';
import { ConcurrencyError, IdempotencyKeyReusedError } from './errors.ts';

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
}

/** Per-call options of {@link CommandHandler.handle}. */
export interface HandleOptions {
  /** Pin the stream version the client saw; a mismatch is a CONFLICT with no retry. */
  expectedVersion?: number;
  /** The client's request as validated, hashed to tell a retry from a reused key. @default the command */
  request?: unknown;
}

/** Runs commands: load → fold → decide → append, with retries and idempotency keys. */
export interface CommandHandler {
  /**
   * Handles one command against one aggregate instance. `command` may be a function of the
   * current state (for commands that need it, e.g. to look up what to release).
   * @throws DomainError when `decide` rejects; ConcurrencyError after `maxAttempts` lost races or when
   * `expectedVersion` is given and stale; IdempotencyKeyReusedError for a key reused with another request.
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

  async function load<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, bound: { at?: Date; maxVersion?: number } = {}) {
    const stored = await store.readStream(decider.streamId(id), bound);
    const last = stored.at(-1);
    // The stream's events are of the aggregate's own family: the store validated each one on read.
    const state = fold(decider, stored.map((s) => ({ type: s.envelope.type, data: s.envelope.data }) as E));
    return { state, version: last?.envelope.streamVersion ?? 0, position: positionText(last?.position ?? START) };
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

  async function handle<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, command: C, ctx: CommandContext, opts: HandleOptions = {}): Promise<CommandResult> {
    const streamId = decider.streamId(id);
    const key = ctx.idempotencyKey;
    const hash = key === undefined ? '' : requestHash(streamId, opts.request ?? command);
    for (let attempt = 1; ; attempt++) {
      if (key !== undefined) {
        const seen = await findIdempotencyKey(store.pool, key, hash);
        if (seen.found && !seen.sameRequest) throw new IdempotencyKeyReusedError(key);
        if (seen.found && seen.sameRequest) return { ...(seen.result as unknown as CommandResult), appended: [] };
      }
      const { state, version, position } = await load(decider, id);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== version) throw new ConcurrencyError(streamId, opts.expectedVersion, version);
      const events = decider.decide(command, state);
      let result: CommandResult = { streamId, streamVersion: version, position, appended: [] };
      const outcome = await store.append(streamId, version, toNewEvents(events, ctx), {
        before: async (client) => key === undefined || claimIdempotencyKey(client, key, hash),
        after: async (client, appended) => {
          const last = appended.positions.at(-1);
          result = { streamId, streamVersion: appended.streamVersion, position: last ? positionText(last) : position, appended: events.map((e) => e.type) };
          if (key !== undefined) await recordIdempotentResult(client, key, { ...result, appended: [] });
        },
      });
      if (outcome.ok) return result;
      if (outcome.reason === 'ABORTED') continue; // a concurrent request with our key committed first: replay its result
      if (opts.expectedVersion !== undefined || attempt >= maxAttempts) throw new ConcurrencyError(streamId, version, outcome.actual);
      // Full-jitter exponential backoff spreads the losers of a race apart (capped at 250 ms).
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 4 * 2 ** attempt)));
    }
  }

  return { handle, load, clock };
}
