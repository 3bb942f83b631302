import type { Collection, Db, Document } from 'mongodb';

/** A gate: closed until `open()` is called. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** A closed {@link Gate}. */
export function gate(): Gate {
  let open = () => undefined as void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

/**
 * The real `db`, except that `replaceOne` and `insertOne` on collection `name` first wait for
 * `hold()` (a writer stalled between its reads and its write, as a paused or starved process is).
 * `onHeld` is called as a write starts waiting, `onLanded` once it returned from the store.
 */
export function stalledWrites(db: Db, name: string, hold: () => Promise<void>, on: { onHeld?: () => void; onLanded?: () => void } = {}): Db {
  const stall = (coll: Collection<Document>) => new Proxy(coll, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if ((prop !== 'replaceOne' && prop !== 'insertOne') || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        on.onHeld?.();
        await hold();
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        on.onLanded?.();
        return result;
      };
    },
  });
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (collection: string) => (collection === name ? stall(target.collection(collection)) : target.collection(collection));
    },
  });
}
