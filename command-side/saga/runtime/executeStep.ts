import type pg from 'pg';
import { inventoryDecider, orderDecider, paymentDecider } from '../../domain/aggregate.ts';
import type { CommandContext, CommandHandler } from '../../handlers/commandHandler.ts';
import type { AuthoriseResult, PaymentGateway } from '../../payments/gateway.ts';
import { createPostgresPaymentVault, type PaymentVault } from '../../payments/paymentVault.ts';
import type { OrderCommand } from '../../domain/order/decide.ts';
import { seriesOf } from '../../domain/series.ts';
import type { SagaStep } from '../steps.ts';
import { GatewayRefusedError } from './failures.ts';
import { cancelSagaTimeout } from './sql/cancelSagaTimeout.ts';
import { scheduleTimeout } from './sql/scheduleTimeout.ts';

/** The trace every command of one reaction carries. */
export interface StepTrace {
  /** The triggering event's correlation id. */
  correlationId: string;
  /** The triggering event's id (null for a swept timeout without one). */
  causationId: string | null;
  traceparent: string | null;
}

/** Carries out saga steps against the event store, the gateway and the timeout table. */
export interface StepExecutor {
  /**
   * Carries out one step; safe to repeat (see {@link SagaStep}).
   * @throws DomainError when an aggregate refuses (CONFLICT: reload and react again);
   * GatewayUnavailableError when the gateway cannot answer; GatewayRefusedError when it refuses
   * a capture, void or refund; ConcurrencyError or database errors (transient).
   */
  execute(step: SagaStep, trace: StepTrace): Promise<void>;
  /**
   * Carries out consecutive order steps of one order as one command series: one read, one append
   * ({@link seriesOf}); all or nothing, so a refusal (CONFLICT) leaves the order as it was.
   * @throws as {@link execute}
   */
  executeOrderSeries(orderId: string, commands: readonly OrderCommand[], trace: StepTrace): Promise<void>;
}

/** Options of {@link createStepExecutor}. */
export interface StepExecutorOptions {
  handler: CommandHandler;
  gateway: PaymentGateway;
  pool: pg.Pool;
  /** The signal that aborts in-flight gateway calls (on shutdown), read per call. */
  signal?: () => AbortSignal | undefined;
  /** Resolves an order's payment reference for the provider call. @default the sandbox vault in `pool` */
  vault?: PaymentVault;
}

/**
 * The saga's hands. Commands go through the command handler with the reaction's trace
 * (correlation id, causation id = the triggering event's id, traceparent). Gateway steps look
 * at the payment aggregate first and skip the provider when the outcome is already recorded,
 * so a repeat never even reaches it; when they do reach it, the idempotency key makes the
 * provider replay its first answer, and the outcome is recorded on the aggregate afterwards.
 */
export function createStepExecutor(opts: StepExecutorOptions): StepExecutor {
  const { handler, gateway, pool, signal } = opts;
  const vault = opts.vault ?? createPostgresPaymentVault(pool);
  const callOpts = () => {
    const s = signal?.();
    return s ? { signal: s } : {};
  };

  function commandContext(trace: StepTrace): CommandContext {
    return { correlationId: trace.correlationId, causationId: trace.causationId, traceparent: trace.traceparent };
  }

  async function authorise(step: Extract<SagaStep, { kind: 'authorise' }>, ctx: CommandContext): Promise<void> {
    const { orderId, amountMinor, currency, paymentRef, idempotencyKey } = step;
    // Both reads at once: this branch is the longer of "reserve ∥ authorise", on every order's path.
    // The token exists only for this call, in memory: never in a step, an event or a log line.
    const [{ state, version }, token] = await Promise.all([handler.load(paymentDecider, orderId), vault.tokenOf(paymentRef)]);
    if (state.status !== 'none') return; // the first recorded outcome stands
    const outcome: AuthoriseResult = token === undefined
      ? { kind: 'declined', reason: 'unknown_payment_method' }
      : await gateway.authorise({ orderId, amountMinor, currency, token, idempotencyKey }, callOpts());
    // Read empty just now: skip reading it again (a concurrent recording makes the append lose, and the retry reads).
    await handler.handle(paymentDecider, orderId, { type: 'RecordAuthorisation', data: { orderId, outcome, amountMinor, currency } }, ctx, { assumeNew: version === 0 });
  }

  async function payment(step: Extract<SagaStep, { kind: 'payment' }>, ctx: CommandContext): Promise<void> {
    const { orderId, command, idempotencyKey } = step;
    const { state } = await handler.load(paymentDecider, orderId);
    if (paymentDecider.decide(command, state).length === 0) return; // already done (throws DomainError when forbidden)
    if (state.status === 'none' || state.status === 'declined') return; // unreachable: decide refuses these
    const base = { orderId, authorisationId: state.authorisationId, idempotencyKey };
    const money = { amountMinor: state.amountMinor, currency: state.currency };
    switch (command.type) {
      case 'CapturePayment': {
        const r = await gateway.capture({ ...base, ...money }, callOpts());
        if (r.kind === 'refused') throw new GatewayRefusedError(orderId, 'capture', r.reason);
        break;
      }
      case 'VoidPayment': {
        const r = await gateway.void(base, callOpts());
        if (r.kind === 'refused') throw new GatewayRefusedError(orderId, 'void', r.reason);
        break;
      }
      case 'RefundPayment': {
        const r = await gateway.refund({ ...base, ...money }, callOpts());
        if (r.kind === 'refused') throw new GatewayRefusedError(orderId, 'refund', r.reason);
        break;
      }
      default: {
        const unhandled: never = command;
        throw new Error(`unknown payment command ${JSON.stringify(unhandled)}`);
      }
    }
    await handler.handle(paymentDecider, orderId, command, ctx);
  }

  const orderSeries = seriesOf(orderDecider);

  return {
    async executeOrderSeries(orderId, commands, trace) {
      await handler.handle(orderSeries, orderId, commands, commandContext(trace));
    },
    async execute(step, trace) {
      const ctx = commandContext(trace);
      switch (step.kind) {
        case 'order':
          await handler.handle(orderDecider, step.orderId, step.command, ctx);
          return;
        case 'inventory':
          await handler.handle(inventoryDecider, step.sku, step.command, ctx);
          return;
        case 'authorise':
          return authorise(step, ctx);
        case 'payment':
          return payment(step, ctx);
        case 'scheduleTimeout':
          await scheduleTimeout(pool, step.orderId, step.dueAt, trace);
          return;
        case 'clearTimeout':
          await cancelSagaTimeout(pool, step.orderId);
          return;
        default: {
          const unhandled: never = step;
          throw new Error(`unknown saga step ${JSON.stringify(unhandled)}`);
        }
      }
    },
  };
}
