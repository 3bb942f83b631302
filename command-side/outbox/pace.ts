/** What the relay's last log read found, and whether a NOTIFY arrived since the read before it. */
export interface RelayRead {
  /** The read returned events (they are published now). */
  published: boolean;
  /** It returned a whole batch: more may be waiting behind it. */
  full: boolean;
  notified: boolean;
}

/**
 * How long the relay waits before its next log read (0 = at once) and the idle interval it carries on
 * with. A full batch reads on at once. Right after traffic, or after a NOTIFY, it re-checks soon
 * (`recheckMs`): an empty read then is often a commit still in flight below the snapshot horizon whose
 * NOTIFY already came. With nothing new it backs off, doubling up to `pollIntervalMs`. After a partial
 * batch it reads at once only if a NOTIFY came meanwhile: otherwise the next read is almost always
 * empty (at a few dozen orders/s that was one wasted log read per event), and a NOTIFY cuts the short
 * wait anyway.
 */
export function nextRead(read: RelayRead, idleMs: number, recheckMs: number, pollIntervalMs: number): { waitMs: number; idleMs: number } {
  const nextIdle = read.published || read.notified ? recheckMs : Math.min(pollIntervalMs, idleMs * 2);
  const atOnce = read.published && (read.full || read.notified);
  return { waitMs: atOnce ? 0 : nextIdle, idleMs: nextIdle };
}
