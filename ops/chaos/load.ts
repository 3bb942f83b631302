import { randomUUID } from 'node:crypto';
import { partitionOf } from '../../messaging/index.ts';
import { gql, type GqlAnswer } from './graphql.ts';

/** A command the load sent and the server acknowledged (answered with data). */
export interface AckedCommand {
  kind: 'place' | 'cancel' | 'restock';
  /** Order id (place, cancel) or SKU (restock). */
  id: string;
  idempotencyKey: string;
  consistencyToken: string;
  customerId?: string;
  ackedAt: number;
}

/** Counters of the load, reported beside the checks. */
export interface LoadStats {
  sent: number;
  acked: number;
  /** Refused for a domain reason (e.g. cancelling a rejected order): not an acknowledgement. */
  refused: number;
  /** Gave up after every retry. */
  failed: number;
  retries: number;
  reads: { ok: number; stale: number; errors: number; missingWrite: number };
}

/** Settings of {@link startLoad}. */
export interface LoadOptions {
  url: string;
  /** Commands per second (place, cancel, restock mixed 8:1:1). */
  rate: number;
  skus: string[];
  customers: string[];
  /** Concurrent readers with `consistentWith`. */
  readers: number;
  /** Bound of commands in flight (an outage must not pile up thousands). */
  maxInFlight?: number;
  random?: () => number;
}

/** The running load. */
export interface Load {
  acked: AckedCommand[];
  stats: LoadStats;
  /** Places one order whose stream lands on each partition (resume probes); resolves with their ids. */
  probes(partitions: number, customerId: string): Promise<string[]>;
  stop(): Promise<void>;
}

const STAFF = 'dev:chaos:staff';
const SHIP_TO = { line1: '1 Chaos Way', city: 'Lyon', postalCode: '69001', country: 'FR' };
const PLACE = 'mutation($i: PlaceOrderInput!, $k: String) { placeOrder(input: $i, idempotencyKey: $k) { id consistencyToken } }';
const CANCEL = 'mutation($i: CancelOrderInput!, $k: String) { cancelOrder(input: $i, idempotencyKey: $k) { id consistencyToken } }';
const RESTOCK = 'mutation($i: RestockInput!, $k: String) { restock(input: $i, idempotencyKey: $k) { id consistencyToken } }';
const READ = 'query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id status } }';

type MutationData = Record<string, { id: string; consistencyToken: string } | null>;

/** A failure worth retrying with the same key: no answer, or one marked retriable. */
function retriable(a: GqlAnswer<unknown>): boolean {
  if (a.transport) return true;
  return (a.errors ?? []).some((e) => e.extensions?.retriable === true || ['RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE'].includes(e.extensions?.code ?? ''));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends one mutation as a careful client does: the same idempotency key on every try, retried
 * (backoff 250 ms doubling to 4 s, up to ~60 s) while the failure is transient. Resolves with the
 * acknowledgement, 'refused' or 'failed'.
 */
async function send(url: string, token: string, query: string, input: Record<string, unknown>, stats: LoadStats, stopping: () => boolean): Promise<{ id: string; consistencyToken: string; key: string } | 'refused' | 'failed'> {
  const key = randomUUID();
  let backoff = 250;
  const deadline = Date.now() + 60_000;
  stats.sent++;
  for (;;) {
    const a = await gql<MutationData>(url, token, query, { i: input, k: key });
    const result = a.data ? Object.values(a.data)[0] : undefined;
    if (result) return { ...result, key };
    if (!retriable(a)) return 'refused';
    if (Date.now() > deadline || stopping()) return 'failed';
    stats.retries++;
    await sleep(backoff);
    backoff = Math.min(4_000, backoff * 2);
  }
}

/** Defines the products and stocks them before the load starts. */
export async function seedCatalogue(url: string, skus: string[], stock: number): Promise<void> {
  const stats = newStats();
  for (const sku of skus) {
    const define = await send(url, STAFF, 'mutation($i: DefineProductInput!, $k: String) { defineProduct(input: $i, idempotencyKey: $k) { id consistencyToken } }',
      { sku, name: `Chaos ${sku}`, unitPrice: { amountMinor: 500, currency: 'EUR' } }, stats, () => false);
    if (typeof define === 'string') throw new Error(`defineProduct ${sku}: ${define}`);
    const restock = await send(url, STAFF, RESTOCK, { sku, quantity: stock }, stats, () => false);
    if (typeof restock === 'string') throw new Error(`restock ${sku}: ${restock}`);
  }
}

function newStats(): LoadStats {
  return { sent: 0, acked: 0, refused: 0, failed: 0, retries: 0, reads: { ok: 0, stale: 0, errors: 0, missingWrite: 0 } };
}

/** Order ids whose `order-<id>` stream lands on each of `partitions` partitions, one per partition. */
export function idsCoveringPartitions(partitions: number): string[] {
  const found = new Map<number, string>();
  while (found.size < partitions) {
    const id = randomUUID();
    const p = partitionOf(`order-${id}`, partitions);
    if (!found.has(p)) found.set(p, id);
  }
  return [...found.values()];
}

/**
 * A steady mix of commands at `rate` per second (8 place : 1 cancel : 1 restock), and readers that
 * read their writes back with `consistentWith`. Every acknowledged command is kept for the checks.
 */
export function startLoad(opts: LoadOptions): Load {
  const random = opts.random ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const stats = newStats();
  const acked: AckedCommand[] = [];
  const placed: AckedCommand[] = [];
  const maxInFlight = opts.maxInFlight ?? 12;
  let inFlight = 0;
  let stopping = false;
  const running = new Set<Promise<void>>();

  // A probe is never a target of the load's cancels (nor of its readers): a probe cancelled before its
  // outcome gets no confirmed/rejected mail, and its resume read "no mail" (two faults of one run).
  const place = (customerId: string, orderId: string = randomUUID(), token = random() < 0.9 ? 'tok_visa' : 'tok_declined', probe = false) =>
    send(opts.url, `dev:${customerId}:customer`, PLACE, {
      orderId, customerId, paymentToken: token, shippingAddress: SHIP_TO,
      lines: [{ sku: pick(opts.skus), quantity: 1 + Math.floor(random() * 3) }],
    }, stats, () => stopping).then((r) => {
      if (typeof r === 'string') return r;
      const cmd: AckedCommand = { kind: 'place', id: r.id, idempotencyKey: r.key, consistencyToken: r.consistencyToken, customerId, ackedAt: Date.now() };
      acked.push(cmd);
      if (!probe) placed.push(cmd);
      return cmd;
    });

  async function one(): Promise<void> {
    const roll = random();
    let outcome: AckedCommand | 'refused' | 'failed';
    if (roll < 0.1 && placed.length > 0) {
      const target = pick(placed.slice(-50));
      const r = await send(opts.url, `dev:${target.customerId ?? 'c0'}:customer`, CANCEL, { orderId: target.id, reason: 'chaos' }, stats, () => stopping);
      outcome = typeof r === 'string' ? r : { kind: 'cancel', id: target.id, idempotencyKey: r.key, consistencyToken: r.consistencyToken, ackedAt: Date.now() };
      if (typeof outcome !== 'string') acked.push(outcome);
    } else if (roll < 0.2) {
      const sku = pick(opts.skus);
      const r = await send(opts.url, STAFF, RESTOCK, { sku, quantity: 10 }, stats, () => stopping);
      outcome = typeof r === 'string' ? r : { kind: 'restock', id: sku, idempotencyKey: r.key, consistencyToken: r.consistencyToken, ackedAt: Date.now() };
      if (typeof outcome !== 'string') acked.push(outcome);
    } else {
      outcome = await place(pick(opts.customers));
    }
    if (outcome === 'refused') stats.refused++;
    else if (outcome === 'failed') stats.failed++;
    else stats.acked++;
  }

  const ticker = setInterval(() => {
    if (stopping || inFlight >= maxInFlight) return;
    inFlight++;
    const p = one().finally(() => {
      inFlight--;
      running.delete(p);
    });
    running.add(p);
  }, Math.max(1, Math.round(1000 / opts.rate)));

  async function reader(): Promise<void> {
    while (!stopping) {
      const target = placed.at(-1 - Math.floor(random() * Math.min(20, placed.length)));
      if (!target) {
        await sleep(200);
        continue;
      }
      const a = await gql<{ order: { id: string } | null }>(opts.url, `dev:${target.customerId ?? 'c0'}:customer`, READ, { id: target.id, t: target.consistencyToken });
      if (a.data?.order) stats.reads.ok++;
      else if ((a.errors ?? []).some((e) => e.extensions?.code === 'STALE_READ_TIMEOUT')) stats.reads.stale++;
      else if (a.data && a.data.order === null && !a.errors) stats.reads.missingWrite++;
      else stats.reads.errors++;
      await sleep(100);
    }
  }
  const readers = Array.from({ length: opts.readers }, () => reader());

  return {
    acked,
    stats,
    async probes(partitions, customerId) {
      const ids = idsCoveringPartitions(partitions);
      const results = await Promise.all(ids.map((id) => place(customerId, id, 'tok_visa', true)));
      for (const r of results) {
        if (r === 'refused') stats.refused++;
        else if (r === 'failed') stats.failed++;
        else stats.acked++;
      }
      return results.flatMap((r) => (typeof r === 'string' ? [] : [r.id]));
    },
    async stop() {
      stopping = true;
      clearInterval(ticker);
      await Promise.all([...running, ...readers]);
    },
  };
}
