/**
 * Retrying a consumer's work on one message without committing its offset. Transient trouble
 * (a dependency down, a lost race) is retried for as long as it lasts, with capped exponential
 * backoff and heartbeats, because giving up would lose work that will succeed later; anything
 * else gets a bounded number of tries and is then reported as failed (the caller dead-letters it).
 */

/** How a failure is retried. */
export type FailureKind =
  /** Retried until it succeeds or the consumer stops (dependency down, lost race). */
  | 'transient'
  /** Retried `maxAttempts` times, then given up (unknown errors, not-yet-visible data). */
  | 'limited'
  /** Given up at once (a rule or contract said no; trying again fails the same way). */
  | 'permanent';

/** The consumer is stopping: work is abandoned uncommitted and will be redelivered. */
export class StopRequested extends Error {
  override readonly name = 'StopRequested';
  readonly retriable = true;
  constructor() {
    super('consumer is stopping');
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** SQLSTATE classes worth waiting out: connection, rollback (serialization, deadlock), resources, shutdown, system. */
const TRANSIENT_SQLSTATE = /^(08|40|53|57|58)/;

function codeOf(e: object): string | undefined {
  return 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * True for infrastructure trouble that passes by itself: an error flagged `retriable: true`
 * (GatewayUnavailableError, ConcurrencyError, NotificationError, KafkaJS retriable errors), a
 * network error, a Postgres error of class 08/40/53/57/58, or a pg pool/connection loss.
 */
export function isTransientInfraError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if ('retriable' in e && e.retriable === true) return true;
  const code = codeOf(e);
  if (code && (NETWORK_CODES.has(code) || (code.length === 5 && TRANSIENT_SQLSTATE.test(code)))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(e.message);
}

/** Options of {@link retryUntilDone}. */
export interface RetryOptions {
  classify(e: unknown): FailureKind;
  /** Tries for `limited` failures. @default 5 */
  maxAttempts?: number;
  /** @default 100 */
  initialDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
  /** Called while waiting (at most every second); its errors (e.g. a rebalance) abort the retry. */
  heartbeat?: () => Promise<void>;
  isStopping(): boolean;
  onRetry?(e: unknown, kind: FailureKind, attempt: number, delayMs: number): void;
}

/** What became of the work. */
export type RetryOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown; attempts: number };

/** Delay before retry `attempt` (1-based): exponential from `initial`, capped, with ±20 % jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

async function wait(ms: number, opts: RetryOptions): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (opts.isStopping()) throw new StopRequested();
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    await opts.heartbeat?.();
  }
}

/**
 * Runs `work` until it succeeds, retrying by {@link FailureKind}. Resolves `{ ok: false }` only
 * for a permanent failure or a limited one that used up its attempts.
 * @throws StopRequested when the consumer stops while waiting; whatever `heartbeat` throws.
 */
export async function retryUntilDone<T>(work: () => Promise<T>, opts: RetryOptions): Promise<RetryOutcome<T>> {
  const maxAttempts = opts.maxAttempts ?? 5;
  let limited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await work() };
    } catch (e) {
      if (opts.isStopping()) throw new StopRequested();
      const kind = opts.classify(e);
      if (kind === 'permanent') return { ok: false, error: e, attempts: attempt };
      if (kind === 'limited' && ++limited >= maxAttempts) return { ok: false, error: e, attempts: attempt };
      const delay = backoffDelay(attempt, opts.initialDelayMs ?? 100, opts.maxDelayMs ?? 5000);
      opts.onRetry?.(e, kind, attempt, delay);
      await wait(delay, opts);
    }
  }
}

/** A background heartbeat while one batch is being handled; `check()` rethrows its failure. */
export interface HeartbeatTicker {
  /** @throws the heartbeat's error (e.g. the group is rebalancing). */
  check(): void;
  stop(): void;
}

/**
 * Calls kafkajs' `heartbeat` every `intervalMs` while a batch runs, so a slow step (a gateway
 * call with retries) does not cost the consumer its group membership. The first failure is kept
 * for {@link HeartbeatTicker.check}.
 */
export function startHeartbeatTicker(heartbeat: () => Promise<void>, intervalMs: number): HeartbeatTicker {
  let failure: unknown;
  const timer = setInterval(() => {
    heartbeat().catch((e: unknown) => {
      failure ??= e;
    });
  }, intervalMs);
  return {
    check() {
      if (failure !== undefined) throw failure;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
