import { appVersion } from '../../platform/index.ts';
import { badUserInput } from '../errors.ts';

const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 60_000;

/**
 * Yields `tick()` every `intervalMs` until `return()` is called; `return()` clears the pending
 * timer at once (an async generator would wait for its sleep to end), so closing a socket or
 * stopping the server never waits on a heartbeat.
 */
export function ticker<T>(intervalMs: number, tick: () => T): AsyncIterableIterator<T> {
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: ((r: IteratorResult<T, undefined>) => void) | undefined;
  const finish = (): Promise<IteratorResult<T, undefined>> => {
    done = true;
    clearTimeout(timer);
    pending?.({ done: true, value: undefined });
    pending = undefined;
    return Promise.resolve({ done: true, value: undefined });
  };
  return {
    next() {
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => {
        pending = resolve;
        timer = setTimeout(() => {
          pending = undefined;
          resolve({ done: false, value: tick() });
        }, intervalMs);
      });
    },
    return: finish,
    throw: async (err: unknown) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Resolvers of `schema/base.graphql` and `schema/health.graphql`. */
export const healthResolvers = {
  Query: {
    health: () => ({ status: 'ok', version: appVersion }),
  },
  Mutation: {
    ping: () => 'pong',
  },
  Subscription: {
    heartbeat: {
      subscribe: (_root: unknown, args: { intervalMs?: number | null }) => {
        const intervalMs = args.intervalMs ?? 1000;
        if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
          throw badUserInput('intervalMs out of range', [{ path: ['intervalMs'], message: `must be between ${MIN_INTERVAL_MS} and ${MAX_INTERVAL_MS}` }]);
        }
        return ticker(intervalMs, () => new Date().toISOString());
      },
      resolve: (payload: string) => payload,
    },
  },
};
