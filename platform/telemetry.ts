import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type ContextManager,
  type Link,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/** The one tracer of the app. Spans are recorded only when an OpenTelemetry SDK is registered. */
export const tracer = trace.getTracer('orderflow');

/**
 * Propagates the active OpenTelemetry context through async calls with AsyncLocalStorage, so a
 * traceparent received on a request is still the active one deep inside resolvers and handlers,
 * even without an SDK. (An SDK that registers its own context manager wins.)
 */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const cb = thisArg === undefined ? fn : fn.bind(thisArg);
    return this.storage.run(ctx, cb, ...args);
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (thunk: () => unknown) => this.with(ctx, thunk);
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return run(() => fn.apply(this, args));
    } as unknown as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

let contextManagerInstalled = false;

/** Registers the AsyncLocalStorage context manager once (no-op when one is already registered). */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  context.setGlobalContextManager(new AsyncLocalContextManager().enable());
}
installContextManager();

/**
 * Runs `fn` inside a new active span; records an exception and an error status when it throws,
 * and always ends the span.
 */
export async function withSpan<T>(name: string, attrs: Attributes, fn: (span: Span) => Promise<T> | T, options: SpanOptions = {}): Promise<T> {
  return tracer.startActiveSpan(name, { ...options, attributes: { ...options.attributes, ...attrs } }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of the active span, or null when there is none or it is invalid. */
export function currentTraceparent(ctx: Context = context.active()): string | null {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !isSpanContextValid(sc)) return null;
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/** The trace id inside a W3C traceparent, or null when it does not parse. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  return m?.[1] ?? null;
}

/**
 * A context whose (remote) parent span is the one named by `traceparent`, based on `base`.
 * An absent or malformed traceparent (or an all-zero id) gives `base` unchanged.
 */
export function contextFromTraceparent(traceparent: string | null | undefined, base: Context = ROOT_CONTEXT): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  if (!m) return base;
  const [, traceId = '', spanId = '', flags = '00'] = m;
  const sc = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  if (!isSpanContextValid(sc)) return base;
  return trace.setSpanContext(base, sc);
}

/** Span attribute naming the correlation id of the command a span serves. */
export const CORRELATION_ID = 'orderflow.correlation_id';
/** Span attribute of a batch span: the distinct correlation ids of what it carried. */
export const CORRELATION_IDS = 'orderflow.correlation_ids';

/**
 * The context a new span should start in: the active one when a span is active (a mutation's
 * append stays its child), else one whose remote parent is `traceparent` (a saga step triggered
 * by an event continues that event's trace).
 */
export function parentContext(traceparent: string | null | undefined, base: Context = context.active()): Context {
  return trace.getSpanContext(base) ? base : contextFromTraceparent(traceparent, base);
}

/**
 * Span links to each distinct valid traceparent, at most `max` (OpenTelemetry's default link
 * limit is 128). A batch span links to every message it carried: the async hop of each command.
 */
export function linksTo(traceparents: Iterable<string | null | undefined>, max = 128): Link[] {
  const links = new Map<string, Link>();
  for (const tp of traceparents) {
    if (links.size >= max) break;
    const sc = tp ? trace.getSpanContext(contextFromTraceparent(tp)) : undefined;
    if (sc && tp && !links.has(tp)) links.set(tp, { context: sc });
  }
  return [...links.values()];
}

/** The distinct non-empty values, at most `max` (a batch span's correlation ids). */
export function distinctValues(values: Iterable<string | null | undefined>, max = 128): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (out.size >= max) break;
    if (v) out.add(v);
  }
  return [...out];
}

/** The app's Prometheus registry; each part creates its own metrics on it (see {@link counter}). */
export const metrics = new Registry();

let defaultMetricsOn = false;

/** Adds Node process metrics (event loop lag, heap, GC, …) to {@link metrics}, once. */
export function collectProcessMetrics(): void {
  if (defaultMetricsOn) return;
  defaultMetricsOn = true;
  collectDefaultMetrics({ register: metrics });
}

function existing<M>(name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const found = metrics.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (found instanceof kind) return found;
  throw new Error(`metric ${name} is already registered with another type`);
}

/** Gets or creates a counter on {@link metrics} (idempotent, so parts can be created twice in tests). */
export function counter<L extends string = string>(cfg: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return (existing(cfg.name, Counter) as Counter<L> | undefined) ?? new Counter<L>({ ...cfg, registers: [metrics] });
}

/** Gets or creates a histogram on {@link metrics}. */
export function histogram<L extends string = string>(cfg: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return (existing(cfg.name, Histogram) as Histogram<L> | undefined) ?? new Histogram<L>({ ...cfg, registers: [metrics] });
}

/** Gets or creates a gauge on {@link metrics}. */
export function gauge<L extends string = string>(cfg: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return (existing(cfg.name, Gauge) as Gauge<L> | undefined) ?? new Gauge<L>({ ...cfg, registers: [metrics] });
}
