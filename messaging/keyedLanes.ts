import { createCommitFrontier } from './commitFrontier.ts';

/** One item of a batch and the key whose order it keeps. */
export interface KeyedWork {
  /** Items with the same key run one after the other, in batch order; other keys run beside them. */
  readonly key: string;
  run(): Promise<void>;
}

/** Options of {@link runInKeyedLanes}. */
export interface KeyedLanesOptions {
  /** Items started and not yet settled, those waiting behind their key included (≥ 1). */
  maxInFlight: number;
  /**
   * Asked right before each item starts. True starts nothing more (a drain: what runs is let
   * finish); a throw does the same and ends the run as failed with that error.
   */
  shouldStop(): boolean;
  /** Called whenever the frontier moves, with the last position whose predecessors are all done. */
  onAdvance(doneThrough: number): void;
}

/** How a run ended. `doneThrough` is the last position whose predecessors are all done (-1: none). */
export type KeyedLanesOutcome =
  | { kind: 'done' }
  | { kind: 'stopped'; doneThrough: number }
  | { kind: 'failed'; doneThrough: number; error: unknown };

/**
 * Runs a batch's items concurrently by key: at most `maxInFlight` at once, items of one key
 * strictly one after the other in batch order. It resolves only once every started item has
 * settled, so nothing of this batch still runs when its caller fetches the next one (which may
 * hold the same keys).
 *
 * After the first failure (an item's rejection, or `shouldStop` throwing) and after a stop,
 * nothing more starts, not even an item already queued behind its key: the failed item will be
 * redelivered, and a later item of its key must not run before it does. Items done past the
 * frontier are done twice on redelivery, which is why their work must be idempotent.
 */
export async function runInKeyedLanes(items: readonly KeyedWork[], opts: KeyedLanesOptions): Promise<KeyedLanesOutcome> {
  if (!(opts.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${opts.maxInFlight}`);
  const frontier = createCommitFrontier(items.length);
  // The last item of each key: resolves true when it ran to completion, false otherwise; never rejects.
  const tails = new Map<string, Promise<boolean>>();
  const started: Promise<boolean>[] = [];
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let active = 0;
  let slotFreed: (() => void) | undefined;

  const mayStart = (): boolean => {
    if (failure || stopped) return false;
    try {
      stopped = opts.shouldStop();
    } catch (error) {
      failure = { error };
    }
    return !failure && !stopped;
  };

  const runAt = async (index: number, item: KeyedWork, before: Promise<boolean> | undefined): Promise<boolean> => {
    try {
      // Behind its key: start only if the one before it completed and nothing has ended the run since.
      if (before && (!(await before) || !mayStart())) return false;
      try {
        await item.run();
      } catch (error) {
        failure ??= { error };
        return false;
      }
      try {
        if (frontier.complete(index)) opts.onAdvance(frontier.doneThrough());
      } catch (error) {
        failure ??= { error };
      }
      return true;
    } finally {
      active--;
      slotFreed?.();
    }
  };

  for (const [index, item] of items.entries()) {
    while (active >= opts.maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    slotFreed = undefined;
    if (!mayStart()) break;
    active++;
    const task = runAt(index, item, tails.get(item.key));
    tails.set(item.key, task);
    started.push(task);
  }
  await Promise.all(started);
  const doneThrough = frontier.doneThrough();
  if (failure) return { kind: 'failed', doneThrough, error: failure.error };
  if (stopped || doneThrough < items.length - 1) return { kind: 'stopped', doneThrough };
  return { kind: 'done' };
}
