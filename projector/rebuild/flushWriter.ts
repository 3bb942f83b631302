import type { Doc } from '../memory/documentOps.ts';
import type { ViewChanges } from '../memory/memoryViews.ts';

/** Where a {@link FlushWriter} writes one view's documents (the shadow generation's collections). */
export interface FlushSink {
  /** Inserts documents the generation does not hold yet (unordered: they are independent). */
  insert(view: string, docs: Doc[]): Promise<void>;
  /** Replaces documents the generation already holds, whole, by `_id`. */
  replace(view: string, docs: Doc[]): Promise<void>;
}

/** Options of {@link createFlushWriter}. */
export interface FlushWriterOptions {
  /** Insert commands in flight at once, across flushes. @default 1 */
  insertConcurrency?: number;
  /** Most documents per insert command. @default 2000 */
  maxInsertChunk?: number;
  /** Fewest documents per insert command when a flush is split to fill the slots. @default 250 */
  minInsertChunk?: number;
}

/** Writes the flushes of one streaming replay, in order where order matters. */
export interface FlushWriter {
  /**
   * Queues one flush. Its inserts (documents no earlier flush wrote: new to the generation) start as
   * soon as an insert slot is free, possibly while earlier flushes are still being written; its
   * replaces (documents an earlier flush wrote) wait until every earlier flush and its own inserts
   * are written, so a replace never lands before the insert it replaces.
   * Resolves with the documents written once this flush and every earlier one are in the store;
   * rejects with the first failure of this flush or of an earlier one (later inserts then do not start).
   */
  write(changes: readonly ViewChanges[]): Promise<number>;
  /** Settles once nothing queued so far is still in flight at the store (whatever the outcome). */
  idle(): Promise<void>;
}

/** Cuts `docs` into chunks of at most `max`, at least `slots` of them (not smaller than `min`) so a flush fills the slots. */
export function insertChunks<T>(docs: readonly T[], slots: number, min: number, max: number): T[][] {
  if (docs.length === 0) return [];
  const size = Math.min(max, Math.max(min, Math.ceil(docs.length / Math.max(1, slots))));
  const out: T[][] = [];
  for (let i = 0; i < docs.length; i += size) out.push(docs.slice(i, i + size));
  return out;
}

/**
 * A flush writer over `sink`: flushes queue behind each other, so the store is not idle while the
 * replay selects what to write next; with `insertConcurrency` > 1 the next flush's inserts overlap
 * the current one's writes, for a store with capacity to spare (FerretDB hands each command its
 * own backend connection). Only for a generation nobody else writes.
 */
export function createFlushWriter(sink: FlushSink, options: FlushWriterOptions = {}): FlushWriter {
  const slots = Math.max(1, options.insertConcurrency ?? 1);
  const max = options.maxInsertChunk ?? 2000;
  const min = Math.min(max, options.minInsertChunk ?? 250);
  let running = 0;
  const waiting: (() => void)[] = [];
  let failure: { error: unknown } | undefined;
  /** Completion of every flush queued so far, in order (rejects with the first failure). */
  let written: Promise<unknown> = Promise.resolve();
  /** The store commands (and flush completions) not settled yet. */
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    const drop = () => inFlight.delete(p);
    p.then(drop, drop);
  };

  /** Runs `fn` in an insert slot, first come first served; refuses to start once a write failed. */
  const inSlot = async (fn: () => Promise<void>): Promise<void> => {
    if (running >= slots) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      if (failure) throw failure.error;
      await fn();
    } catch (err) {
      failure ??= { error: err };
      throw err;
    } finally {
      running--;
      waiting.shift()?.();
    }
  };

  return {
    write(changes) {
      const before = written;
      const inserts = changes.flatMap((c) => insertChunks(c.inserts, slots, min, max).map((chunk) => inSlot(() => sink.insert(c.view, chunk))));
      const done = (async () => {
        const settled = await Promise.allSettled(inserts);
        await before;
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
        if (failure) throw failure.error;
        let n = 0;
        for (const c of changes) {
          if (c.replaces.length > 0) {
            try {
              await sink.replace(c.view, c.replaces);
            } catch (err) {
              failure ??= { error: err };
              throw err;
            }
          }
          n += c.inserts.length + c.replaces.length;
        }
        return n;
      })();
      written = done;
      for (const p of [...inserts, done]) track(p);
      return done;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
