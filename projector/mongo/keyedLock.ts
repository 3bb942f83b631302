/**
 * Runs `fn` after every earlier call with the same key has settled (a FIFO lock per key, in this
 * process). Why: FerretDB 1.24 does not apply a filtered `replaceOne` atomically: 6 concurrent
 * compare-and-set writers of one document all match (`npx tsx bench/tools/casProbe.ts`), so the
 * store alone cannot arbitrate writers that share a document. MongoDB can; this lock makes it hold
 * on FerretDB too for writers in one process (several partitions of one projector).
 */
export function createKeyedLock(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
