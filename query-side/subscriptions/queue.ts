/**
 * A bounded push → pull queue behind one subscriber's AsyncIterator. When a slow client lets it fill
 * up, the oldest message is dropped: every message carries the full latest state of its key, so a
 * later message for the same key supersedes it (and the client can resume with its last token).
 */
export function createQueue<T>(capacity: number, onClose: () => void): { push(v: T): void; iterator: AsyncIterableIterator<T>; close(): void } {
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T, undefined>) => void) | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    waiting?.({ done: true, value: undefined });
    waiting = undefined;
    onClose();
  };
  const iterator: AsyncIterableIterator<T> = {
    next() {
      const v = buffer.shift();
      if (v !== undefined) return Promise.resolve({ done: false, value: v });
      if (closed) return Promise.resolve({ done: true, value: undefined });
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
  };
  return {
    push(v) {
      if (closed) return;
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
