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

/** `START` in text form. */
export const LOG_START = '0.0';

const POSITION_TEXT = /^(\d{1,20})\.(\d{1,20})$/;

/** Text form used in Kafka headers, checkpoints and consistency tokens: "<transactionId>.<globalPosition>". */
export function formatPosition(p: LogPosition): string {
  return `${p.transactionId}.${p.globalPosition}`;
}

/** Parses `formatPosition` output; returns undefined for anything else. */
export function parsePosition(text: string): LogPosition | undefined {
  const m = POSITION_TEXT.exec(text);
  if (!m) return undefined;
  return { transactionId: BigInt(m[1] ?? '0'), globalPosition: BigInt(m[2] ?? '0') };
}

/** True when `text` is a position in `formatPosition`'s form. */
export function isPositionText(text: string): boolean {
  return POSITION_TEXT.test(text);
}

/** Orders two positions: negative when a is before b, 0 when equal. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}

/**
 * Orders two positions in text form: negative when a is before b. Text that is not a position
 * counts as `START` (callers validate input first; this only orders).
 */
export function comparePositionText(a: string, b: string): number {
  return comparePositions(parsePosition(a) ?? START, parsePosition(b) ?? START);
}
