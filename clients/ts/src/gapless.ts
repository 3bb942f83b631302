import { OrderflowError, fromGraphQLErrors } from './errors.ts';
import { backoffDelay, type RetryPolicy, type Scheduler } from './retry.ts';
import type { SubscriptionTransport, TransportError } from './transport.ts';

/**
 * Where a live subscription stands, for an app to show:
 * - `connecting`: first connection under way;
 * - `live`: subscribed, changes arrive as they happen;
 * - `disconnected`: the socket is gone; reconnecting with backoff and jitter;
 * - `gap`: reconnected and resubscribed with the last token as `since`; the changes missed meanwhile are being replayed;
 * - `resynced`: the replay arrived, the app's state is whole again (becomes `live` shortly after);
 * - `closed`: stopped for good (disposed, completed, or an error that retrying cannot fix).
 */
export type LiveState = 'connecting' | 'live' | 'disconnected' | 'gap' | 'resynced' | 'closed';

/** Options of one gapless subscription. */
export interface GaplessOptions<TData> {
  /** Each new message, in order, without duplicates. */
  onData(data: TData): void;
  onState?(state: LiveState): void;
  /** A non-retriable error: the subscription is closed after it. */
  onError?(error: OrderflowError): void;
  /**
   * Ask the server for the current state of everything in scope first (an empty resume token), so the
   * app needs no separate initial query. @default false
   */
  replayCurrentState?: boolean;
  /** Identity of a message besides its token (duplicates are same token + same key). @default the message's JSON */
  keyOf?(data: TData): string;
  /** Without any message after a resubscribe, the replay counts as done after this long. @default 1000 */
  resyncQuietMs?: number;
  /** How long `resynced` shows before `live`. @default 1500 */
  resyncedHoldMs?: number;
}

/** A running gapless subscription. */
export interface LiveSubscription {
  readonly state: LiveState;
  /** The last token received (what a resubscribe sends as `since`). */
  readonly lastToken: string | undefined;
  /** Messages dropped as duplicates so far. */
  readonly duplicatesDropped: number;
  dispose(): void;
}

/** A resume token naming no position: the server answers with the current state of the whole scope. */
export const REPLAY_ALL_TOKEN = 'eyJ2IjoxLCJ3Ijp7fX0'; // base64url of {"v":1,"w":{}}

const SEEN_LIMIT = 1_000;

/** The payload's `token` (root field of a subscription result), if any. */
function tokenOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const root = Object.values(data)[0] as { token?: unknown } | undefined;
  return typeof root?.token === 'string' ? root.token : undefined;
}

/**
 * Runs a subscription that survives disconnects without a gap: on a lost socket it reconnects with
 * exponential backoff and jitter, resubscribes with the last token as `since` (the server then
 * replays the current state of everything changed meanwhile), and drops messages already delivered
 * (same token, same content). States go `live → disconnected → gap → resynced → live`.
 */
export function gaplessSubscription<TData>(
  transport: SubscriptionTransport,
  request: { query: string; variables: Record<string, unknown> },
  options: GaplessOptions<TData>,
  deps: { policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>; scheduler: Scheduler; setTimer?: (fn: () => void, ms: number) => () => void },
): LiveSubscription {
  const setTimer = deps.setTimer ?? ((fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  });
  const keyOf = options.keyOf ?? ((d: TData) => JSON.stringify(d));
  const seen = new Map<string, true>();
  let state: LiveState = 'connecting';
  let lastToken = typeof request.variables['since'] === 'string' ? request.variables['since'] : options.replayCurrentState ? REPLAY_ALL_TOKEN : undefined;
  let failures = 0;
  let duplicates = 0;
  let resuming = false;
  let stop: (() => void) | undefined;
  let cancelTimer: (() => void) | undefined;
  let generation = 0;

  const setState = (next: LiveState) => {
    if (state === next || state === 'closed') return;
    state = next;
    options.onState?.(next);
  };
  const timer = (fn: () => void, ms: number) => {
    cancelTimer?.();
    cancelTimer = setTimer(fn, ms);
  };
  const close = (error?: OrderflowError) => {
    cancelTimer?.();
    stop?.();
    stop = undefined;
    setState('closed');
    if (error) options.onError?.(error);
  };
  const resynced = () => {
    resuming = false;
    setState('resynced');
    timer(() => state === 'resynced' && setState('live'), options.resyncedHoldMs ?? 1_500);
  };
  const lost = () => {
    stop?.();
    stop = undefined;
    if (state === 'closed') return;
    resuming = true;
    setState('disconnected');
    timer(open, backoffDelay(failures++, deps.policy, deps.scheduler.random));
  };
  const failed = (err: TransportError) => {
    if (err.kind === 'graphql') {
      const error = fromGraphQLErrors(err.errors, undefined);
      return error.retriable ? lost() : close(error);
    }
    if (err.fatal) return close(new OrderflowError(`subscription refused: ${err.reason || `close code ${err.code}`}`, err.code === 4403 ? 'FORBIDDEN' : 'CONNECTION_REFUSED', false));
    lost();
  };

  function open(): void {
    const mine = ++generation;
    const live = () => mine === generation && state !== 'closed';
    const variables = { ...request.variables, since: lastToken ?? null };
    stop = transport.subscribe({ query: request.query, variables }, {
      connected: () => {
        if (!live()) return;
        failures = 0;
        if (!resuming) return setState('live');
        setState('gap');
        timer(() => state === 'gap' && resynced(), options.resyncQuietMs ?? 1_000);
      },
      next: (result) => {
        if (!live()) return;
        if (result.errors?.length) return failed({ kind: 'graphql', errors: result.errors });
        const data = result.data as TData;
        const token = tokenOf(data);
        if (state === 'gap') resynced();
        else if (state === 'connecting') setState('live');
        if (token !== undefined) {
          const key = `${token}\u0000${keyOf(data)}`;
          if (seen.has(key)) {
            duplicates++;
            return;
          }
          seen.set(key, true);
          if (seen.size > SEEN_LIMIT) seen.delete(seen.keys().next().value as string);
          lastToken = token;
        }
        options.onData(data);
      },
      error: (err) => live() && failed(err),
      complete: () => live() && close(),
    });
  }

  open();
  return {
    get state() {
      return state;
    },
    get lastToken() {
      return lastToken;
    },
    get duplicatesDropped() {
      return duplicates;
    },
    dispose: () => close(),
  };
}
