/** Deliveries as the fleet reports them: per message, the order's sequence number, the receiving client and the arrival time. */
export interface DeliveryBatch {
  keys: readonly number[];
  clients: readonly number[];
  times: readonly number[];
}

/** Counts subscription messages and measures ack → first message per (subscriber, order). */
export interface DeliveryTracker {
  /**
   * Takes a batch; returns the lags (ms) of the first messages whose order's ack time is known. A
   * first message whose ack is not known yet (the push overtook the HTTP answer) waits for the next
   * batch; after `pendingMs` it is dropped and counted in {@link DeliveryTracker.unmatched}.
   */
  ingest(batch: DeliveryBatch, at: number): number[];
  /** Every message received. */
  total(): number;
  /** Subscribers that got order `seq`. */
  reached(seq: number): number;
  /** First messages of orders the load never saw acknowledged (e.g. its request timed out but the write happened). */
  unmatched(): number;
}

/** Client numbers stay below this, so (seq, client) fits one number key. */
const CLIENT_SPACE = 1 << 16;

/** A {@link DeliveryTracker} over the load's ack times (`ackedAt`, the same clock as the fleet's `times`). Pure apart from its own state. */
export function createDeliveryTracker(ackedAt: (seq: number) => number | undefined, pendingMs = 60_000): DeliveryTracker {
  const seen = new Set<number>();
  const reached = new Map<number, number>();
  let pending: { seq: number; time: number }[] = [];
  let total = 0;
  let unmatched = 0;
  return {
    ingest(batch, at) {
      const lags: number[] = [];
      const firsts = pending;
      pending = [];
      batch.keys.forEach((seq, i) => {
        total++;
        const client = batch.clients[i] ?? 0;
        const id = seq * CLIENT_SPACE + (client % CLIENT_SPACE);
        if (seen.has(id)) return;
        seen.add(id);
        reached.set(seq, (reached.get(seq) ?? 0) + 1);
        firsts.push({ seq, time: batch.times[i] ?? at });
      });
      for (const f of firsts) {
        const acked = ackedAt(f.seq);
        if (acked !== undefined) lags.push(f.time - acked);
        else if (at - f.time < pendingMs) pending.push(f);
        else unmatched++;
      }
      return lags;
    },
    total: () => total,
    reached: (seq) => reached.get(seq) ?? 0,
    unmatched: () => unmatched,
  };
}
