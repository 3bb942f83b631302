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
import { createQueue } from './queue.ts';

/** The subscription channels; each key (order id, customer id, currency, SKU) is one distinct subscription. */
export type Channel = 'order' | 'customer' | 'revenue' | 'inventory';

type Payload = { token: string } & Record<string, unknown>;
type Listener = (p: Payload) => void;
/** One payload for every socket on a key. */
type Broadcast = { channel: Channel; key: string; payload: Payload };

/**
 * Where a change's time goes before its sockets have it: `notified` (the projector's `at`, stamped
 * after the view write → this replica received the notification; ms resolution, another process),
 * `load` (→ payloads read), `push` (→ the last socket's frame handed to the kernel).
 */
const fanoutSeconds = histogram({
  name: 'orderflow_subscription_fanout_seconds', help: 'Subscription fan-out per change that reached a socket, by stage (notified, load, push)', labelNames: ['stage'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

const RESUME_REVENUE_DAYS = 90;
const RESUME_CUSTOMER_ORDERS = 50;

/**
 * Fans "view changed" notifications out to graphql-ws subscribers. Each API replica consumes the
 * notification topic in a group of its own (so every replica sees every change). For each change the
 * affected documents are read once and the result is broadcast to every socket on that key: the work
 * is per distinct subscription, not per socket. No polling of Mongo. The view cache applies every
 * notification before the tracker sees it, and payloads are read through it.
 */
export function createSubscriptionHub(opts: { kafka: Kafka; prefix: string; views: CachedViewReader; tracker: ConsistencyTracker; tokens: TokenCodec; logger: Logger; queueCapacity?: number; partitions?: number; replicationFactor?: number }) {
  const { views, tracker } = opts;
  const log = opts.logger.child({ component: 'subscriptions' });
  const listeners: Record<Channel, Map<string, Set<Listener>>> = { order: new Map(), customer: new Map(), revenue: new Map(), inventory: new Map() };
  const listenerOf = new WeakMap<(p: Payload) => void, Listener>();
  let consumer: Consumer | undefined;

  const token = (projection: string) => opts.tokens.vector(tracker.vector(projection));
  const keysWithListeners = (channel: Channel, ids: Iterable<string>) => [...ids].filter((id) => listeners[channel].has(id));
  function broadcast(channel: Channel, key: string, payload: Payload): void {
    for (const l of listeners[channel].get(key) ?? []) l(payload);
  }

  /** Loads what a change touched, once per distinct key: the broadcasts to make. */
  async function load(change: ViewChanged): Promise<Broadcast[]> {
    const t = token(change.projection);
    const touched = (view: string) => change.touched[view] ?? [];
    if (change.projection === 'order_detail') {
      const ids = keysWithListeners('order', touched('order_detail'));
      const docs = ids.length ? await views.orderDetails(ids) : [];
      return docs.flatMap((d) => (d ? [{ channel: 'order' as const, key: d._id, payload: { token: t, order: toOrder(d) } }] : []));
    } else if (change.projection === 'orders_by_customer' && listeners.customer.size > 0) {
      const rows = await views.orderRows(touched('orders_by_customer'));
      return rows.flatMap((r) => (r ? [{ channel: 'customer' as const, key: r.customerId, payload: { token: t, order: toOrderSummary(r) } }] : []));
    } else if (change.projection === 'revenue_by_day') {
      const ids = touched('revenue_by_day').filter((id) => listeners.revenue.has(id.slice(id.lastIndexOf(':') + 1)));
      const buckets = ids.length ? await views.revenueBuckets(ids) : [];
      return buckets.flatMap((b) => (b ? [{ channel: 'revenue' as const, key: b.currency, payload: { token: t, day: toRevenueDay(b) } }] : []));
    } else if (change.projection === 'inventory') {
      const skus = keysWithListeners('inventory', touched('inventory'));
      const docs = skus.length ? await views.stock(skus) : [];
      return docs.flatMap((d) => (d ? [{ channel: 'inventory' as const, key: d._id, payload: { token: t, item: toStockLevel(d) } }] : []));
    }
    return [];
  }

  /**
   * Loads what a change touched and broadcasts it. A change that reaches a socket is pushed inside a
   * `subscription.push` span linked to the append span of every event behind it (the last async hop).
   */
  async function dispatch(change: ViewChanged, receivedAt: number): Promise<void> {
    const broadcasts = await load(change);
    const sockets = broadcasts.reduce((n, b) => n + (listeners[b.channel].get(b.key)?.size ?? 0), 0);
    if (sockets === 0) return;
    const loadedAt = performance.now();
    const causes = change.causes ?? [];
    const attributes = { 'orderflow.projection': change.projection, 'orderflow.subscription.sockets': sockets, [CORRELATION_IDS]: distinctValues(causes.map((c) => c.correlationId)) };
    await withSpan('subscription.push', attributes, () => {
      for (const b of broadcasts) broadcast(b.channel, b.key, b.payload);
    }, { links: linksTo(causes.map((c) => c.traceparent)) });
    const writtenAt = performance.now();
    const viewAt = Date.parse(change.at);
    if (Number.isFinite(viewAt)) fanoutSeconds.observe({ stage: 'notified' }, Math.max(0, performance.timeOrigin + receivedAt - viewAt) / 1000);
    fanoutSeconds.observe({ stage: 'load' }, (loadedAt - receivedAt) / 1000);
    fanoutSeconds.observe({ stage: 'push' }, (writtenAt - loadedAt) / 1000);
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
            await dispatch(change, receivedAt).catch((err: unknown) => log.warn({ err, projection: change.projection }, 'subscription dispatch failed'));
          },
        },
      });
    },
    async stop(): Promise<void> {
      await consumer?.disconnect();
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
