import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isPushSource, pushTo } from './queue.ts';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Where a subscription's results go when they need not pass through graphql-ws's per-socket
 * iterator: called once per event, in order, with the (possibly pending) shared result.
 */
export type ResultSink = (result: Result) => void;

/** Per hub payload object: the execution result per (query text, operation, variables). */
const shared = new WeakMap<object, Map<string, Result>>();

function keyOf(args: ExecutionArgs): string {
  const text = args.document.loc?.source.body ?? print(args.document);
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * graphql-js `subscribe`, except that each event is executed once per distinct selection and the
 * result is shared by every socket that subscribed with the same query and variables: the hub hands
 * all listeners of a key the same payload object, so 5,000 dashboards on one key cost one execution
 * per change, not 5,000. Authorization happened at subscribe time; payload fields are key-scoped.
 * Each event executes with `eventContext(subscription's context)` when given: per-operation caches
 * (DataLoaders) must not outlive one event, or a subscription holds every document it ever loaded
 * and answers later events from stale copies.
 *
 * With a `sink`, and a source that can push (the hub's queue), every result goes to `sink`
 * synchronously as the hub broadcasts, and the returned iterator yields nothing: it only ends when
 * the source does, or when the caller returns it (graphql-ws, on `complete` or a closed socket).
 */
export async function subscribeShared(args: ExecutionArgs, eventContext?: (context: unknown) => unknown, sink?: ResultSink): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const key = keyOf(args);
  const it = source[Symbol.asyncIterator]();
  const forEvent = (rootValue: unknown): ExecutionArgs => ({ ...args, rootValue, ...(eventContext && { contextValue: eventContext(args.contextValue) }) });
  const run = (payload: unknown): Result => {
    if (typeof payload !== 'object' || payload === null) return execute(forEvent(payload));
    let byKey = shared.get(payload);
    if (!byKey) shared.set(payload, (byKey = new Map<string, Result>()));
    const hit = byKey.get(key);
    if (hit) return hit;
    const result = execute(forEvent(payload));
    byKey.set(key, result);
    return result;
  };
  if (sink && isPushSource(it)) it[pushTo]((payload) => sink(run(payload)));
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await it.next();
      if (r.done) return { done: true, value: undefined };
      // A pushing source yields only its end; anything else is a pull-mode event.
      return { done: false, value: await run(r.value) };
    },
    async return() {
      await it.return?.();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      await it.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
