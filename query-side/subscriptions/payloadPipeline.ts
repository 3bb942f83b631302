import type { ChangeCause } from '../../projector/index.ts';

/** Causes kept per read batch (as many as one notification carries). */
const MAX_CAUSES = 64;

/** One read the pipeline made: which documents of which source, what it returned, and what asked for it. */
export interface ReadBatch<R> {
  source: string;
  ids: readonly string[];
  result: R;
  /** The earliest arrival (`performance.now()`) among the changes this read answers. */
  receivedAt: number;
  /** The earliest `at` (the projector's write, ISO text) among them. */
  at: string;
  /** The events behind those changes (distinct traceparents, at most 64), for the push span's links. */
  causes: readonly ChangeCause[];
}

/** Options of {@link createPayloadPipeline}. */
export interface PayloadPipelineOptions<R> {
  /** Reads the current state of `ids` of `source`. Called when the read starts, so what it sees is at least every change enqueued before. */
  read(source: string, ids: readonly string[]): Promise<R>;
  /** Takes a finished read, synchronously, as soon as it completes (reads of one document complete in the order they started). */
  deliver(batch: ReadBatch<R>): void;
  /** A read that failed; its documents are read again after `retryMs` (their latest state, so nothing is missed). */
  onError(err: unknown, source: string, ids: readonly string[]): void;
  /** Reads in flight at once (each up to `maxBatch` documents of one source). @default 4 */
  maxInFlight?: number;
  /** @default 64 */
  maxBatch?: number;
  /** @default 500 */
  retryMs?: number;
}

/** A document waiting for its read: the merge of every change of it since its last read started. */
interface Waiting {
  source: string;
  id: string;
  receivedAt: number;
  at: string;
  /** Owned by the entry (merged into), never the caller's array. */
  causes: ChangeCause[];
}

const keyOf = (source: string, id: string) => `${source}\u0000${id}`;

function mergeCauses(into: ChangeCause[], more: readonly ChangeCause[]): void {
  for (const c of more) {
    if (into.length >= MAX_CAUSES) return;
    if (!into.some((x) => x.traceparent === c.traceparent && x.correlationId === c.correlationId)) into.push(c);
  }
}

/**
 * Turns "document changed" signals into payload reads without waiting for one read before taking the
 * next change, which made the fan-out's backlog grow without bound whenever changes came faster than
 * one store read:
 * - changes of one document that arrive before its read starts are **coalesced** into that one read
 *   (a read returns the latest state, which answers all of them);
 * - every tick, what waits is read in **batches** per source (up to `maxBatch` documents each), at
 *   most `maxInFlight` reads at once;
 * - a document never has two reads in flight: a change that arrives while its document is being read
 *   waits for that read to finish, and so every document's deliveries are **monotonic** (a read that
 *   starts after another finished sees at least its state) however the reads of different documents
 *   overlap.
 * Memory is bounded by the distinct documents waiting, not by the rate of changes. Pure scheduling:
 * the I/O is `read`.
 */
export function createPayloadPipeline<R>(opts: PayloadPipelineOptions<R>) {
  const maxInFlight = opts.maxInFlight ?? 4;
  const maxBatch = opts.maxBatch ?? 64;
  const retryMs = opts.retryMs ?? 500;
  const waiting = new Map<string, Waiting>();
  const reading = new Set<string>();
  let inFlight = 0;
  let scheduled = false;
  let stopped = false;
  const retries = new Set<NodeJS.Timeout>();

  /** Adds a change of one document to what waits for its next read (merged into its entry when there is one). */
  function wait(w: Readonly<Omit<Waiting, 'causes'>> & { causes: readonly ChangeCause[] }): void {
    const key = keyOf(w.source, w.id);
    const cur = waiting.get(key);
    if (!cur) {
      waiting.set(key, { ...w, causes: w.causes.slice(0, MAX_CAUSES) });
      return;
    }
    if (w.receivedAt < cur.receivedAt) cur.receivedAt = w.receivedAt;
    if (w.at < cur.at) cur.at = w.at;
    mergeCauses(cur.causes, w.causes);
  }

  function schedule(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    // One tick later: every change of the same Kafka fetch is in by then, and coalesces.
    setImmediate(pump);
  }

  /** The next batch: waiting documents of the oldest waiting one's source, none of them being read. */
  function take(): Waiting[] {
    let source: string | undefined;
    const batch: Waiting[] = [];
    for (const [key, w] of waiting) {
      if (reading.has(key)) continue;
      source ??= w.source;
      if (w.source !== source) continue;
      batch.push(w);
      if (batch.length >= maxBatch) break;
    }
    return batch;
  }

  function pump(): void {
    scheduled = false;
    while (!stopped && inFlight < maxInFlight) {
      const batch = take();
      const first = batch[0];
      if (!first) return;
      const keys = batch.map((w) => keyOf(w.source, w.id));
      for (const k of keys) {
        waiting.delete(k);
        reading.add(k);
      }
      inFlight++;
      const ids = batch.map((w) => w.id);
      const causes: ChangeCause[] = [];
      for (const w of batch) mergeCauses(causes, w.causes);
      const receivedAt = Math.min(...batch.map((w) => w.receivedAt));
      const at = batch.reduce((a, w) => (w.at < a ? w.at : a), first.at);
      void opts.read(first.source, ids).then(
        (result) => {
          done(keys);
          if (!stopped) opts.deliver({ source: first.source, ids, result, receivedAt, at, causes });
        },
        (err: unknown) => {
          done(keys);
          if (stopped) return;
          opts.onError(err, first.source, ids);
          const t = setTimeout(() => {
            retries.delete(t);
            for (const w of batch) wait(w);
            schedule();
          }, retryMs);
          t.unref();
          retries.add(t);
        },
      );
    }
  }

  function done(keys: readonly string[]): void {
    inFlight--;
    for (const k of keys) reading.delete(k);
    if (waiting.size > 0) schedule();
  }

  return {
    /** Asks for a read of `ids` of `source` for a change that arrived at `receivedAt` (written at `at`, caused by `causes`). */
    enqueue(source: string, ids: readonly string[], receivedAt: number, at: string, causes: readonly ChangeCause[]): void {
      if (stopped || ids.length === 0) return;
      for (const id of ids) wait({ source, id, receivedAt, at, causes });
      schedule();
    },
    /** Documents waiting for a read, and reads in flight (metrics, tests). */
    backlog: () => ({ waiting: waiting.size, inFlight }),
    /** Drops what waits and delivers nothing more (reads in flight finish unseen). */
    stop(): void {
      stopped = true;
      waiting.clear();
      for (const t of retries) clearTimeout(t);
      retries.clear();
    },
  };
}

/** The pipeline's public face. */
export type PayloadPipeline<R> = ReturnType<typeof createPayloadPipeline<R>>;
