/**
 * Order ids that carry a sequence number, so a subscriber's delivery names the order it is about
 * as a plain number (cheap to ship over IPC and to match against the ack times of the load).
 */

const PREFIX = '50a50000-0000-4000-8000-';
const MAX_SEQ = 0xffff_ffff_ffff;

/** A valid UUID (v4 layout) whose last 12 hex digits are `seq`. @throws RangeError outside 0…2^48-1. */
export function seqOrderId(seq: number): string {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new RangeError(`seq ${seq} outside 0…${MAX_SEQ}`);
  return PREFIX + seq.toString(16).padStart(12, '0');
}

/** The sequence number of an id made by {@link seqOrderId}; undefined for any other value. */
export function seqOfOrderId(id: unknown): number | undefined {
  if (typeof id !== 'string' || id.length !== PREFIX.length + 12 || !id.startsWith(PREFIX)) return undefined;
  const seq = Number.parseInt(id.slice(PREFIX.length), 16);
  return Number.isNaN(seq) ? undefined : seq;
}
