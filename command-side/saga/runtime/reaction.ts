import { eventOf, type EventEnvelope } from '../../../contracts/index.ts';
import type { CommandHandler } from '../../handlers/commandHandler.ts';
import type { SagaContext } from '../context.ts';
import { onTimeout, react, settleFromFacts } from '../fulfilment.ts';
import type { SagaStep } from '../steps.ts';
import type { StepExecutor, StepTrace } from './executeStep.ts';
import { isConflict } from './failures.ts';
import { loadSagaContext, type OrderSkus } from './loadContext.ts';
import { parallelBatches, settleAll } from './parallelSteps.ts';

/** What a reaction needs: where to read, how to act, and the clock. */
export interface ReactionDeps {
  handler: CommandHandler;
  executor: StepExecutor;
  timeoutMs: number;
  clock: () => Date;
  /** Reloads allowed when a step meets a CONFLICT (the order moved on concurrently). @default 10 */
  maxConflictReloads?: number;
  /** SKUs of orders seen lately, so a context reads them beside the order ({@link loadSagaContext}). */
  orderSkus?: OrderSkus;
}

/**
 * Loads the context, asks the pure saga for steps and carries them out in order, stock reservations
 * and the authorisation at once, consecutive commands on the order in one append
 * ({@link parallelBatches}). When a step
 * meets a CONFLICT the order moved on under it (a timeout or a cancel raced the event), so the
 * context is reloaded and the saga asked again, which then yields the right steps (often a
 * compensation). Returns the steps carried out in the last, successful round.
 * @throws the first step failure other than a CONFLICT, or the CONFLICT after `maxConflictReloads`.
 */
async function runRounds(deps: ReactionDeps, orderId: string, decide: (ctx: SagaContext) => SagaStep[], trace: StepTrace): Promise<SagaStep[]> {
  const maxReloads = deps.maxConflictReloads ?? 10;
  for (let round = 0; ; round++) {
    const ctx = await loadSagaContext(deps.handler, orderId, deps.clock(), deps.timeoutMs, deps.orderSkus);
    const steps = decide(ctx);
    try {
      for (const batch of parallelBatches(steps)) {
        if (batch.run === 'series') await deps.executor.executeOrderSeries(batch.orderId, batch.commands, trace);
        else await settleAll(batch.steps.map((step) => deps.executor.execute(step, trace)));
      }
      return steps;
    } catch (e) {
      if (!isConflict(e) || round >= maxReloads) throw e;
    }
  }
}

/**
 * Carries out the saga's reaction to one stored event about `orderId` (see {@link runRounds}).
 * After `OrderPlaced` both branches have answered in this reaction, so the order is marked and
 * confirmed at once from the stored facts ({@link settleFromFacts}) instead of three Kafka round
 * trips later; the events' own reactions then find nothing left to do.
 */
export async function reactToEvent(deps: ReactionDeps, envelope: EventEnvelope, orderId: string): Promise<SagaStep[]> {
  const trace: StepTrace = { correlationId: envelope.correlationId, causationId: envelope.eventId, traceparent: envelope.traceparent };
  // The event that sets the order's lines names their SKUs: its first context reads them beside the order too.
  const event = eventOf(envelope);
  if (event.type === 'OrderPlaced' && event.data.orderId === orderId) deps.orderSkus?.remember(orderId, [...new Set(event.data.lines.map((l) => l.sku))]);
  const steps = await runRounds(deps, orderId, (ctx) => react(envelope, ctx), trace);
  if (envelope.type !== 'OrderPlaced' || steps.length === 0) return steps;
  return [...steps, ...(await runRounds(deps, orderId, (ctx) => settleFromFacts(orderId, ctx), trace))];
}

/** Carries out what a due timeout row calls for (see {@link runRounds}). */
export function reactToTimeout(deps: ReactionDeps, orderId: string, trace: StepTrace): Promise<SagaStep[]> {
  return runRounds(deps, orderId, (ctx) => onTimeout({ type: 'SagaTimedOut', orderId }, ctx), trace);
}
