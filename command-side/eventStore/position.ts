/**
 * A place in the global log, in the order readers see it: (transaction id, global position).
 * The global position alone is not commit order; the pair is.
 */
export interface LogPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

/** Before every event. */
export const START: LogPosition = { transactionId: 0n, globalPosition: 0n };

/** Orders two positions: negative when a is before b. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}

/** Text form used in Kafka headers and consistency tokens: "<transactionId>.<globalPosition>". */
export function formatPosition(p: LogPosition): string {
  return `${p.transactionId}.${p.globalPosition}`;
}

/** Parses `formatPosition` output; returns undefined for anything else. */
export function parsePosition(text: string): LogPosition | undefined {
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(text);
  if (!m) return undefined;
  return { transactionId: BigInt(m[1] ?? '0'), globalPosition: BigInt(m[2] ?? '0') };
}
