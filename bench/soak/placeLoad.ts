import { gql } from '../../ops/chaos/graphql.ts';
import { now } from '../lib/clock.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { seqOrderId } from '../lib/seqOrderId.ts';

/** What the steady load did so far. */
export interface PlaceCounts {
  /** Ticks of the schedule (one placeOrder each, unless the in-flight bound was reached). */
  scheduled: number;
  sent: number;
  accepted: number;
  /** Failed requests by GraphQL error code (`TRANSPORT` when no GraphQL answer came back). */
  failedByCode: Record<string, number>;
  /** The first message seen for each failure code. */
  firstFailure: Record<string, string>;
  /** Ticks skipped because `maxInFlight` requests were still unanswered (the server fell behind). */
  skippedInFlight: number;
}

/** A steady placeOrder load. */
export interface PlaceLoad {
  counts(): PlaceCounts;
  /** When order `seq` was acknowledged (the `now()` clock, comparable with the subscriber fleet's). */
  ackedAt(seq: number): number | undefined;
  /** Sequence numbers of every accepted order, with the customer it belongs to. */
  accepted(): ReadonlyMap<number, string>;
  /** Stops the schedule and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** Options of {@link startPlaceLoad}. */
export interface PlaceLoadOptions {
  /** serve's GraphQL URL (the proxy). */
  url: string;
  /** placeOrder per second, spread evenly (open loop: the schedule does not wait for answers). */
  rate: number;
  /** Customer ids; order n belongs to customers[n % length] and is placed with that customer's own token. */
  customers: readonly string[];
  /** @default 50 */
  maxInFlight?: number;
  /** Bound of one request. @default 10_000 */
  timeoutMs?: number;
}

const PLACE = 'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }';

/**
 * Places orders at a steady rate, each by its customer (a dev token per customer, so the per-principal
 * rate limit sees what a real population of customers would send), with an id that carries its
 * sequence number. Nothing is retried: every request is counted once, as accepted or as failed by
 * its error code.
 */
export function startPlaceLoad(opts: PlaceLoadOptions): PlaceLoad {
  const maxInFlight = opts.maxInFlight ?? 50;
  const counts: PlaceCounts = { scheduled: 0, sent: 0, accepted: 0, failedByCode: {}, firstFailure: {}, skippedInFlight: 0 };
  const acked = new Map<number, number>();
  const customerOf = new Map<number, string>();
  const inFlight = new Set<Promise<void>>();
  const fail = (code: string, message: string) => {
    counts.failedByCode[code] = (counts.failedByCode[code] ?? 0) + 1;
    counts.firstFailure[code] ??= message.slice(0, 300);
  };
  const placeOne = async (seq: number) => {
    const customerId = opts.customers[seq % opts.customers.length] ?? 'soak';
    const input = { ...placeOrderInput(customerId, seq), orderId: seqOrderId(seq) };
    counts.sent++;
    const answer = await gql<{ placeOrder?: { id: string } }>(opts.url, `dev:${customerId}:customer`, PLACE, { i: input }, opts.timeoutMs ?? 10_000);
    if (answer.data?.placeOrder) {
      acked.set(seq, now());
      customerOf.set(seq, customerId);
      counts.accepted++;
      return;
    }
    if (answer.transport !== undefined) return fail('TRANSPORT', answer.transport);
    const first = answer.errors?.[0];
    fail(first?.extensions?.code ?? 'NO_CODE', first?.message ?? JSON.stringify(answer).slice(0, 300));
  };
  let seq = 0;
  const ticker = setInterval(() => {
    counts.scheduled++;
    if (inFlight.size >= maxInFlight) {
      counts.skippedInFlight++;
      return;
    }
    const p = placeOne(seq++).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / opts.rate);
  return {
    counts: () => ({ ...counts, failedByCode: { ...counts.failedByCode }, firstFailure: { ...counts.firstFailure } }),
    ackedAt: (s) => acked.get(s),
    accepted: () => customerOf,
    async stop() {
      clearInterval(ticker);
      await Promise.all(inFlight);
    },
  };
}
