import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CORRELATION_IDS, distinctValues, histogram, linksTo, withSpan } from '../../platform/index.ts';
import { ensureTopics, joinConsumerGroup, viewChangedTopic } from '../../messaging/index.ts';
import { parseViewChanged, type ViewChanged } from '../../projector/index.ts';
import type { ConsistencyTracker } from '../consistency/tracker.ts';
import type { TokenCodec } from '../consistency/codec.ts';
import { toOrder, toOrderSummary, toRevenueDay, toStockLevel } from '../views/mappers.ts';
import type { CachedViewReader } from '../views/cachedViewReader.ts';
import type { ReadFloor } from '../views/viewCache.ts';
import { createPayloadPipeline, type ReadBatch } from './payloadPipeline.ts';
import { createQueue } from './queue.ts';

/** The subscription channels; each key (order id, customer id, currency, SKU) is one distinct subscription. */
export type Channel = 'order' | 'customer' | 'revenue' | 'inventory';

type Payload = { token: string } & Record<string, unknown>;
type Listener = (p: Payload) => void;
/** One payload for every socket on a key. */
type Broadcast = { channel: Channel; key: string; payload: Payload };
/** A projection's documents as subscription payloads: which touched ones are wanted, and how a read of them becomes broadcasts. */
interface PayloadSource {
  /** The logical view of `touched` it reads. */
  view: string;
  wanted(ids: readonly string[]): string[];
  read(ids: readonly string[], token: string): Promise<Broadcast[]>;
}

/**
 * Where a change's time goes before its sockets have it, per payload read that reached a socket:
 * `notified` (the projector's `at`, stamped after the view write → this replica received the
 * notification; ms resolution, another process), `load` (→ payloads read: the wait in the pipeline
 * and the read), `push` (→ the last socket's frame handed to the kernel). A read answering several
 * changes counts from the earliest.
 */
const fanoutSeconds = histogram({
  name: 'orderflow_subscription_fanout_seconds', help: 'Subscription fan-out per payload read that reached a socket, by stage (notified, load, push)', labelNames: ['stage'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

const RESUME_REVENUE_DAYS = 90;
const RESUME_CUSTOMER_ORDERS = 50;

/**
 * Fans "view changed" notifications out to graphql-ws subscribers. Each API replica consumes the
 * notification topic in a group of its own (so every replica sees every change). The documents a
 * change touched that some socket wants go to a {@link createPayloadPipeline} (coalesced per
 * document, read in batches, several reads in flight, each document's reads in order), and each
 * read is broadcast to every socket on its key: the work is per distinct subscription, not per
 * socket, and the consumer never waits for a read. No polling of Mongo. The view cache applies every
 * notification before the tracker sees it, and payloads are read through it (a document some other
 * read already brought back after its last change is served from memory).
 */
export function createSubscriptionHub(opts: { kafka: Kafka; prefix: string; views: CachedViewReader; tracker: ConsistencyTracker; tokens: TokenCodec; logger: Logger; queueCapacity?: number; maxReadsInFlight?: number; partitions?: number; replicationFactor?: number }) {
  const { views, tracker } = opts;
  const log = opts.logger.child({ component: 'subscriptions' });
  const listeners: Record<Channel, Map<string, Set<Listener>>> = { order: new Map(), customer: new Map(), revenue: new Map(), inventory: new Map() };
  const listenerOf = new WeakMap<(p: Payload) => void, Listener>();
  let consumer: Consumer | undefined;

  const token = (projection: string) => opts.tokens.vector(tracker.vector(projection));
  const keysWithListeners = (channel: Channel, ids: Iterable<string>) => [...ids].filter((id) => listeners[channel].has(id));
  /** Every payload of one key to each of its listeners in turn: a socket gets its frames in a row (one write per tick, see `tickWrites.ts`). */
  function broadcast(channel: Channel, key: string, payloads: readonly Payload[]): void {
    for (const l of listeners[channel].get(key) ?? []) for (const p of payloads) l(p);
  }

  /**
   * Per projection that feeds a channel: which of its touched documents some socket may want (at the
   * change and again when the read starts), and how a read of them becomes broadcasts. An order row
   * names its customer only once read, so every row is read while any customer is watched.
   */
  const currencyOf = (bucketId: string) => bucketId.slice(bucketId.lastIndexOf(':') + 1);
  const sources = new Map<string, PayloadSource>(Object.entries({
    order_detail: {
      view: 'order_detail',
      wanted: (ids) => keysWithListeners('order', ids),
      read: async (ids, t) => (await views.orderDetails(ids)).flatMap((d) => (d ? [{ channel: 'order' as const, key: d._id, payload: { token: t, order: toOrder(d) } }] : [])),
    },
    orders_by_customer: {
      view: 'orders_by_customer',
      wanted: (ids) => (listeners.customer.size > 0 ? [...ids] : []),
      read: async (ids, t) => (await views.orderRows(ids)).flatMap((r) => (r ? [{ channel: 'customer' as const, key: r.customerId, payload: { token: t, order: toOrderSummary(r) } }] : [])),
    },
    revenue_by_day: {
      view: 'revenue_by_day',
      wanted: (ids) => ids.filter((id) => listeners.revenue.has(currencyOf(id))),
      read: async (ids, t) => (await views.revenueBuckets(ids)).flatMap((b) => (b ? [{ channel: 'revenue' as const, key: b.currency, payload: { token: t, day: toRevenueDay(b) } }] : [])),
    },
    inventory: {
      view: 'inventory',
      wanted: (ids) => keysWithListeners('inventory', ids),
      read: async (ids, t) => (await views.stock(ids)).flatMap((d) => (d ? [{ channel: 'inventory' as const, key: d._id, payload: { token: t, item: toStockLevel(d) } }] : [])),
    },
  } satisfies Record<string, PayloadSource>));

  /**
   * Broadcasts one finished read. A read that reaches a socket is pushed inside a `subscription.push`
   * span linked to the append span of every event behind the changes it answers (the last async hop).
   */
  function deliver(batch: ReadBatch<Broadcast[]>): void {
    const broadcasts = batch.result;
    const sockets = broadcasts.reduce((n, b) => n + (listeners[b.channel].get(b.key)?.size ?? 0), 0);
    if (sockets === 0) return;
    const loadedAt = performance.now();
    const attributes = { 'orderflow.projection': batch.source, 'orderflow.subscription.sockets': sockets, [CORRELATION_IDS]: distinctValues(batch.causes.map((c) => c.correlationId)) };
    // The broadcast runs synchronously inside the span; only the span's end waits a microtask.
    // Per key, in read order (a document appears once per read, so each document's order is kept).
    const byKey = new Map<string, { channel: Channel; key: string; payloads: Payload[] }>();
    for (const b of broadcasts) {
      const k = `${b.channel}\u0000${b.key}`;
      const group = byKey.get(k);
      if (group) group.payloads.push(b.payload);
      else byKey.set(k, { channel: b.channel, key: b.key, payloads: [b.payload] });
    }
    withSpan('subscription.push', attributes, () => {
      for (const g of byKey.values()) broadcast(g.channel, g.key, g.payloads);
    }, { links: linksTo(batch.causes.map((c) => c.traceparent)) }).catch((err: unknown) => log.warn({ err, projection: batch.source }, 'subscription broadcast failed'));
    const writtenAt = performance.now();
    const viewAt = Date.parse(batch.at);
    if (Number.isFinite(viewAt)) fanoutSeconds.observe({ stage: 'notified' }, Math.max(0, performance.timeOrigin + batch.receivedAt - viewAt) / 1000);
    fanoutSeconds.observe({ stage: 'load' }, (loadedAt - batch.receivedAt) / 1000);
    fanoutSeconds.observe({ stage: 'push' }, (writtenAt - loadedAt) / 1000);
  }

  // The token is taken when the read starts: the read sees at least every change the tracker has applied by then.
  const pipeline = createPayloadPipeline<Broadcast[]>({
    read: (source, ids) => {
      const s = sources.get(source);
      const wanted = s ? s.wanted(ids) : [];
      return s && wanted.length > 0 ? s.read(wanted, token(source)) : Promise.resolve([]);
    },
    deliver,
    onError: (err, source, ids) => log.warn({ err, projection: source, documents: ids.length }, 'subscription payload read failed; reading again'),
    ...(opts.maxReadsInFlight !== undefined && { maxInFlight: opts.maxReadsInFlight }),
  });

  /** Hands what a change touched to the pipeline: the documents some socket may want. */
  function dispatch(change: ViewChanged, receivedAt: number): void {
    const s = sources.get(change.projection);
    if (!s) return;
    pipeline.enqueue(change.projection, s.wanted(change.touched[s.view] ?? []), receivedAt, change.at, change.causes ?? []);
  }

  /** The latest state of every key in a subscription's scope (sent first on resume). */
  async function currentState(channel: Channel, keys: string[], floor: ReadFloor | undefined): Promise<Payload[]> {
    switch (channel) {
      case 'order':
        return (await views.orderDetails(keys, floor)).flatMap((d) => (d ? [{ token: token('order_detail'), order: toOrder(d) }] : []));
      case 'customer': {
        const page = await views.customerOrders(keys[0] ?? '', RESUME_CUSTOMER_ORDERS);
        return page.items.map((r) => ({ token: token('orders_by_customer'), order: toOrderSummary(r) }));
      }
      case 'revenue': {
        const to = new Date();
        const from = new Date(to.getTime() - RESUME_REVENUE_DAYS * 86_400_000);
        const buckets = await views.revenue(from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), keys[0]);
        return buckets.map((b) => ({ token: token('revenue_by_day'), day: toRevenueDay(b) }));
      }
      case 'inventory':
        return (await views.stock(keys, floor)).flatMap((d) => (d ? [{ token: token('inventory'), item: toStockLevel(d) }] : []));
    }
  }

  return {
    /** Joins the notification topic (a group per replica, from the latest message) and waits for the join. */
    async start(): Promise<void> {
      // An API replica may start before any projector created the topic (separate processes).
      const admin = opts.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [viewChangedTopic(opts.prefix)], opts.partitions ?? 6, opts.replicationFactor ?? 1);
      } finally {
        await admin.disconnect();
      }
      consumer = await joinConsumerGroup({
        kafka: opts.kafka, groupId: `${opts.prefix}api.${randomUUID()}`, topics: [viewChangedTopic(opts.prefix)], fromBeginning: false,
        sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 50, name: 'subscription hub', logger: log,
        run: {
          eachMessage: async ({ message }) => {
            const receivedAt = performance.now();
            const change = parseViewChanged(message.value);
            if (!change) return;
            // The view cache first: once the tracker moves, a waiting read may look at the cache.
            views.applyChange(change);
            tracker.update(change.projection, change.positions);
            // Not awaited: the next notification is taken while this one's payloads are read.
            dispatch(change, receivedAt);
          },
        },
      });
    },
    async stop(): Promise<void> {
      await consumer?.disconnect();
      pipeline.stop();
    },
    /**
     * An iterator of payloads for `keys` of a channel. With `resume`, it first yields the latest state
     * of every key in scope, so a client reconnecting with its last token misses nothing; `floor` (what
     * the subscription's `consistentWith` waited for) keeps that state from being older than the token.
     */
    subscribe(channel: Channel, keys: string[], resume: boolean, floor?: ReadFloor): AsyncIterableIterator<Payload> {
      const queue = createQueue<Payload>(opts.queueCapacity ?? 1000, () => {
        const listener = listenerOf.get(queue.push);
        for (const k of keys) {
          const set = listeners[channel].get(k);
          if (listener) set?.delete(listener);
          if (set?.size === 0) listeners[channel].delete(k);
        }
      });
      // While the resume state loads, live messages wait behind it, so nothing older overtakes them.
      let held: Payload[] | undefined = resume ? [] : undefined;
      const listener: Listener = (p) => (held ? held.push(p) : queue.push(p));
      listenerOf.set(queue.push, listener);
      for (const k of keys) listeners[channel].set(k, (listeners[channel].get(k) ?? new Set()).add(listener));
      if (resume) {
        void currentState(channel, keys, floor)
          .catch((err: unknown) => (log.warn({ err }, 'resume failed'), []))
          .then((ps) => {
            ps.forEach(queue.push);
            held?.forEach(queue.push);
            held = undefined;
          });
      }
      return queue.iterator;
    },
    /** Distinct subscriptions and sockets per channel (metrics, tests). */
    stats(): Record<Channel, { keys: number; sockets: number }> {
      const s = (c: Channel) => ({ keys: listeners[c].size, sockets: [...listeners[c].values()].reduce((n, set) => n + set.size, 0) });
      return { order: s('order'), customer: s('customer'), revenue: s('revenue'), inventory: s('inventory') };
    },
  };
}

/** The hub's public face. */
export type SubscriptionHub = ReturnType<typeof createSubscriptionHub>;
