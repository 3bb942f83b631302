import {
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  timeout,
  wrap,
  type IDefaultPolicyContext,
} from 'cockatiel';
import type { Logger } from 'pino';
import { GatewayUnavailableError, isGatewayUnavailable, type CallOptions, type PaymentGateway } from './gateway.ts';

/** Circuit breaker state as exposed to health checks and metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of {@link createResilientGateway}. */
export interface ResilientGatewayOptions {
  /** Time allowed per attempt; the attempt's AbortSignal fires when it runs out. @default 2000 */
  timeoutMs?: number;
  /** Attempts in total per call (1 = no retry), for unavailability and timeouts only. @default 3 */
  attempts?: number;
  /** First retry delay; later ones grow exponentially (with jitter). @default 100 */
  initialDelayMs?: number;
  /** Longest retry delay. @default 2000 */
  maxDelayMs?: number;
  /** Consecutive failed attempts that open the circuit. @default 5 */
  breakerThreshold?: number;
  /** Time the circuit stays open before one trial call is let through. @default 10000 */
  halfOpenAfterMs?: number;
  /** Called on every breaker transition (for metrics and logs). */
  onBreakerStateChange?: (state: BreakerState) => void;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/** A gateway behind timeout, retry and circuit breaker, with the breaker observable. */
export interface ResilientGateway extends PaymentGateway {
  breakerState(): BreakerState;
  /** Detaches the breaker listener. */
  dispose(): void;
}

function toBreakerState(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
    default: {
      const unhandled: never = state;
      return unhandled;
    }
  }
}

/**
 * cockatiel 3.2.1's own `isTaskCancelledError` tests the wrong marker property
 * (`isBulkheadRejectedError`), so timeouts are recognised here by their own marker.
 */
function isTaskCancelledError(e: unknown): boolean {
  return e instanceof Error && 'isTaskCancelledError' in e;
}

/** Failures worth retrying and counting against the breaker: unavailability and timeouts. */
function isTransient(e: Error): boolean {
  return (isGatewayUnavailable(e) && e.code !== 'CIRCUIT_OPEN') || isTaskCancelledError(e);
}

/**
 * Wraps `inner` with, from outside in: retry (exponential backoff) → circuit breaker
 * (consecutive failures) → timeout per attempt (aggressive: the attempt's signal aborts
 * and the call rejects at once, even if `inner` ignores the signal). Declines and
 * refusals are values, so they never trip the breaker nor get retried. Retrying is
 * safe because every gateway call carries an idempotency key.
 * @throws from each call: GatewayUnavailableError with code `TIMEOUT` (every attempt
 * timed out), `UNAVAILABLE` (every attempt failed) or `CIRCUIT_OPEN` (failed fast, the
 * inner gateway was not called); the caller's abort reason when its own signal aborts;
 * any other error of `inner` unchanged.
 */
export function createResilientGateway(inner: PaymentGateway, options: ResilientGatewayOptions = {}): ResilientGateway {
  const timeoutMs = options.timeoutMs ?? 2000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const retryPolicy = retry(handleWhen(isTransient), {
    maxAttempts: attempts - 1,
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs ?? 100,
      maxDelay: options.maxDelayMs ?? 2000,
    }),
  });
  const breaker = circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
  });
  const policy = wrap(retryPolicy, breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));

  const listener = breaker.onStateChange((state) => {
    const s = toBreakerState(state);
    options.logger?.[s === 'closed' ? 'info' : 'warn']({ breaker: s }, `payment gateway circuit ${s}`);
    options.onBreakerStateChange?.(s);
  });
  retryPolicy.onRetry((e) => {
    const reason = 'error' in e ? e.error.message : 'unexpected value';
    options.logger?.warn({ attempt: e.attempt, delayMs: e.delay, reason }, 'retrying payment gateway call');
  });

  async function run<T>(op: string, call: (signal: AbortSignal) => Promise<T>, opts: CallOptions | undefined): Promise<T> {
    try {
      return await policy.execute((ctx: IDefaultPolicyContext) => call(ctx.signal), opts?.signal);
    } catch (e) {
      if (opts?.signal?.aborted) throw opts.signal.reason ?? e;
      if (isBrokenCircuitError(e)) {
        throw new GatewayUnavailableError(`circuit open`, { code: 'CIRCUIT_OPEN', cause: e });
      }
      if (isTaskCancelledError(e)) {
        throw new GatewayUnavailableError(`${op} timed out after ${timeoutMs} ms (${attempts} attempts)`, {
          code: 'TIMEOUT',
          cause: e,
        });
      }
      throw e;
    }
  }

  return {
    authorise: (req, opts) => run('authorise', (signal) => inner.authorise(req, { signal }), opts),
    capture: (req, opts) => run('capture', (signal) => inner.capture(req, { signal }), opts),
    void: (req, opts) => run('void', (signal) => inner.void(req, { signal }), opts),
    refund: (req, opts) => run('refund', (signal) => inner.refund(req, { signal }), opts),
    breakerState: () => toBreakerState(breaker.state),
    dispose: () => listener.dispose(),
  };
}
