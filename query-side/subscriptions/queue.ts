/** The method by which a {@link PushSource} hands its values to a synchronous sink instead of `next()`. */
export const pushTo = Symbol('pushTo');

/**
 * An async iterator that can also push: once `[pushTo](sink)` is called, every buffered value and then
 * every new one goes to `sink` synchronously, in order, and `next()` only reports the end. Fan-out uses
 * it to write one change to thousands of sockets in one pass, with no promise per socket.
 */
export interface PushSource<T> extends AsyncIterableIterator<T> {
  [pushTo](sink: (value: T) => void): void;
}

/** Whether `x` is a {@link PushSource} (e.g. the hub's queue as graphql-js hands it back). */
export function isPushSource(x: unknown): x is PushSource<unknown> {
  return typeof x === 'object' && x !== null && pushTo in x && typeof (x as Record<symbol, unknown>)[pushTo] === 'function';
}

/**
 * A bounded push → pull queue behind one subscriber's AsyncIterator. When a slow client lets it fill
 * up, the oldest message is dropped: every message carries the full latest state of its key, so a
 * later message for the same key supersedes it (and the client can resume with its last token).
 * In push mode (`[pushTo]`) nothing is buffered: values go straight to the sink.
 */
export function createQueue<T>(capacity: number, onClose: () => void): { push(v: T): void; iterator: PushSource<T>; close(): void } {
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T, undefined>) => void) | undefined;
  let sink: ((v: T) => void) | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    waiting?.({ done: true, value: undefined });
    waiting = undefined;
    onClose();
  };
  const iterator: PushSource<T> = {
    next() {
      const v = sink ? undefined : buffer.shift();
      if (v !== undefined) return Promise.resolve({ done: false, value: v });
      if (closed) return Promise.resolve({ done: true, value: undefined });
      // In push mode a pending next() only waits for the end.
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      close();
      return Promise.resolve({ done: true, value: undefined });
    },
    throw(err: unknown) {
      close();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    [pushTo](s) {
      sink = s;
      for (let v = buffer.shift(); v !== undefined; v = buffer.shift()) s(v);
    },
  };
  return {
    push(v) {
      if (closed) return;
      if (sink) return sink(v);
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ done: false, value: v });
        return;
      }
      if (buffer.length >= capacity) buffer.shift();
      buffer.push(v);
    },
    iterator,
    close,
  };
}
