/**
 * Which messages of one batch may be committed when they finish out of order. Positions are the
 * batch's indexes (0 = its first message): offsets in a batch need not be dense (compaction,
 * control records), so the frontier never does arithmetic on offsets, only on positions.
 */
export interface CommitFrontier {
  /**
   * Marks position `index` done.
   * @returns true when the frontier moved (every position up to a later one is now done).
   * @throws RangeError for a position outside the batch or one already done (a caller bug).
   */
  complete(index: number): boolean;
  /** The last position whose predecessors are all done, or -1 while the first is still open. */
  doneThrough(): number;
}

/**
 * A {@link CommitFrontier} over `size` positions. A message finished after a later one has, that
 * later one waits behind it: committing past an unfinished message would lose it on a crash.
 */
export function createCommitFrontier(size: number): CommitFrontier {
  const done = new Array<boolean>(size).fill(false);
  let next = 0;
  return {
    complete(index) {
      if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`position ${index} is outside a batch of ${size}`);
      if (done[index]) throw new RangeError(`position ${index} completed twice`);
      done[index] = true;
      if (index !== next) return false;
      while (next < size && done[next]) next++;
      return true;
    },
    doneThrough: () => next - 1,
  };
}
