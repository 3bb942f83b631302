import { makeEnvelope, type EventEnvelope, type DomainEvent } from '../../contracts/index.ts';
import { fold, inventoryDecider, orderDecider, paymentDecider, type Decider } from '../../command-side/domain/aggregate.ts';
import type { InventoryState } from '../../command-side/domain/inventory/inventory.ts';
import type { OrderState } from '../../command-side/domain/order/order.ts';
import type { PaymentState } from '../../command-side/domain/payment/payment.ts';
import type { AuthoriseResult, PaymentGateway } from '../../command-side/payments/gateway.ts';
import { createSandboxGateway, type SandboxGateway } from '../../command-side/payments/sandboxGateway.ts';
import { paymentFacts, reservationFacts, type SagaContext } from '../../command-side/saga/context.ts';
import { onTimeout, react, settleFromFacts } from '../../command-side/saga/fulfilment.ts';
import type { SagaStep } from '../../command-side/saga/steps.ts';

/**
 * Test support only: an in-memory stand-in for the saga runtime. Streams are folded
 * with the real deciders, gateway steps go to the real sandbox, each stream's events
 * are delivered in order (streams interleave freely), and timeouts are rows.
 */
export interface TestWorld {
  gateway: SandboxGateway;
  /** Events not yet acknowledged by the saga, in append order. */
  pending: EventEnvelope[];
  /** Every event ever appended, in append order. */
  log: EventEnvelope[];
  /** Timeout rows: orderId → dueAt. */
  timeouts: Map<string, string>;
  now(): string;
  advance(ms: number): void;
  place(orderId: string, lines: { sku: string; quantity: number }[], token: string): void;
  /** Handles a command on an aggregate; returns what was appended. @throws DomainError */
  handle<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, command: C): E[];
  order(orderId: string): OrderState;
  inventory(sku: string): InventoryState;
  payment(orderId: string): PaymentState;
  context(orderId: string): SagaContext;
  /** Carries out one step; returns the events it appended. */
  execute(step: SagaStep): Promise<DomainEvent[]>;
  /** The first pending event of each stream (what a consumer may deliver next). */
  heads(): EventEnvelope[];
  /**
   * Reacts to `env` and carries out its steps. Acknowledges it unless
   * `crashAfterSteps` is given (then only that many steps run and it stays pending).
   */
  deliver(env: EventEnvelope, opts?: { crashAfterSteps?: number }): Promise<SagaStep[]>;
  /** Sweeps one timeout row as the runtime would. */
  fireTimeout(orderId: string): Promise<SagaStep[]>;
  /** Delivers heads until nothing is pending. */
  drain(): Promise<void>;
}

const orderIdOf = (env: EventEnvelope): string | null => {
  const data: unknown = env.data;
  return typeof data === 'object' && data !== null && 'orderId' in data && typeof data.orderId === 'string'
    ? data.orderId
    : null;
};

/** Builds a world with `stock` units on hand per SKU and prices per SKU. */
export function createTestWorld(opts: {
  stock: Record<string, number>;
  prices: Record<string, number>;
  timeoutMs?: number;
  start?: string;
  gateway?: SandboxGateway;
  /** What steps call instead of the sandbox directly (e.g. a resilient wrapper of it). */
  front?: PaymentGateway;
}): TestWorld {
  const gateway = opts.gateway ?? createSandboxGateway();
  const front = opts.front ?? gateway;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let clock = Date.parse(opts.start ?? '2025-03-01T10:00:00.000Z');
  const streams = new Map<string, DomainEvent[]>();
  const pending: EventEnvelope[] = [];
  const log: EventEnvelope[] = [];
  const timeouts = new Map<string, string>();
  // The provider's vault, in memory: orders carry only the reference, as in the real runtime.
  const vault = new Map<string, string>();
  const vaulted = (orderId: string, token: string) => {
    const ref = `pm_${orderId}`;
    vault.set(ref, token);
    return ref;
  };
  const lines = new Map<string, string[]>();
  const now = () => new Date(clock).toISOString();

  function handle<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, id: string, command: C): E[] {
    const streamId = decider.streamId(id);
    const stream = streams.get(streamId) ?? [];
    const events = decider.decide(command, fold(decider, stream as E[]));
    for (const event of events) {
      stream.push(event);
      const env = makeEnvelope({
        event,
        eventId: `${streamId}#${stream.length}`,
        streamId,
        streamVersion: stream.length,
        occurredAt: now(),
        correlationId: 'test',
      });
      log.push(env);
      pending.push(env);
    }
    streams.set(streamId, stream);
    return events;
  }
  const state = <C, E extends DomainEvent, S>(d: Decider<C, E, S>, id: string): S =>
    fold(d, (streams.get(d.streamId(id)) ?? []) as E[]);

  for (const [sku, quantity] of Object.entries(opts.stock)) {
    if (quantity > 0) handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity } });
  }
  pending.length = 0; // stock set-up is not the saga's business

  function context(orderId: string): SagaContext {
    const skus = lines.get(orderId) ?? [];
    const inventories = Object.fromEntries(skus.map((s) => [s, state(inventoryDecider, s)]));
    return {
      order: state(orderDecider, orderId),
      now: now(),
      timeoutMs,
      reservations: reservationFacts(orderId, inventories),
      ...paymentFacts(state(paymentDecider, orderId)),
    };
  }

  /** Decide first: a step the aggregate already records skips the gateway; otherwise call it, then record. */
  async function paymentCall(step: Extract<SagaStep, { kind: 'payment' }>, gw: PaymentGateway): Promise<DomainEvent[]> {
    const p = state(paymentDecider, step.orderId);
    if (paymentDecider.decide(step.command, p).length === 0) return [];
    if (p.status === 'none' || p.status === 'declined') throw new Error('unreachable: the decider refuses these');
    const base = { orderId: step.orderId, authorisationId: p.authorisationId, idempotencyKey: step.idempotencyKey };
    const money = { amountMinor: p.amountMinor, currency: p.currency };
    const answer =
      step.command.type === 'CapturePayment'
        ? await gw.capture({ ...base, ...money })
        : step.command.type === 'VoidPayment'
          ? await gw.void(base)
          : await gw.refund({ ...base, ...money });
    if (answer.kind === 'refused') throw new Error(`gateway refused ${step.command.type}: ${answer.reason}`);
    return handle(paymentDecider, step.orderId, step.command);
  }

  async function execute(step: SagaStep): Promise<DomainEvent[]> {
    switch (step.kind) {
      case 'order':
        return handle(orderDecider, step.orderId, step.command);
      case 'inventory':
        return handle(inventoryDecider, step.sku, step.command);
      case 'authorise': {
        const { orderId, amountMinor, currency, paymentRef, idempotencyKey } = step;
        const token = vault.get(paymentRef);
        const outcome: AuthoriseResult = token === undefined ? { kind: 'declined', reason: 'unknown_payment_method' } : await front.authorise({ orderId, amountMinor, currency, token, idempotencyKey });
        return handle(paymentDecider, orderId, { type: 'RecordAuthorisation', data: { orderId, outcome, amountMinor, currency } });
      }
      case 'payment':
        return paymentCall(step, front);
      case 'scheduleTimeout':
        if (!timeouts.has(step.orderId)) timeouts.set(step.orderId, step.dueAt);
        return [];
      case 'clearTimeout':
        timeouts.delete(step.orderId);
        return [];
      default: {
        const unhandled: never = step;
        return unhandled;
      }
    }
  }

  const world: TestWorld = {
    gateway,
    pending,
    log,
    timeouts,
    now,
    advance: (ms) => {
      clock += ms;
    },
    place(orderId, orderLines, token) {
      lines.set(orderId, orderLines.map((l) => l.sku));
      const catalogue = Object.fromEntries(
        orderLines.map((l) => [l.sku, { unitPrice: { amountMinor: opts.prices[l.sku] ?? 100, currency: 'EUR' } }]),
      );
      handle(orderDecider, orderId, {
        type: 'PlaceOrder',
        data: {
          orderId,
          customerId: `cust-${orderId}`,
          lines: orderLines,
          shippingAddress: { line1: '1 Main St', city: 'Town', postalCode: '1000', country: 'BE' },
          paymentRef: vaulted(orderId, token),
          now: now(),
          catalogue,
        },
      });
    },
    handle,
    order: (id) => state(orderDecider, id),
    inventory: (sku) => state(inventoryDecider, sku),
    payment: (id) => state(paymentDecider, id),
    context,
    execute,
    heads() {
      const seen = new Set<string>();
      return pending.filter((e) => !seen.has(e.streamId) && (seen.add(e.streamId), true));
    },
    async deliver(env, o = {}) {
      const orderId = orderIdOf(env);
      const steps = orderId ? react(env, context(orderId)) : [];
      const upTo = o.crashAfterSteps ?? steps.length;
      for (const step of steps.slice(0, upTo)) await execute(step);
      if (o.crashAfterSteps !== undefined) return steps;
      // As the runtime does (runtime/reaction.ts): after OrderPlaced, settle from the stored facts.
      const settled = orderId && env.type === 'OrderPlaced' && steps.length > 0 ? settleFromFacts(orderId, context(orderId)) : [];
      for (const step of settled) await execute(step);
      pending.splice(pending.indexOf(env), 1);
      return [...steps, ...settled];
    },
    async fireTimeout(orderId) {
      const steps = onTimeout({ type: 'SagaTimedOut', orderId }, context(orderId));
      for (const step of steps) await execute(step);
      return steps;
    },
    async drain() {
      for (let guard = 0; pending.length > 0; guard++) {
        if (guard > 10_000) throw new Error('saga did not settle');
        const head = pending[0];
        if (head) await world.deliver(head);
      }
    },
  };
  return world;
}
