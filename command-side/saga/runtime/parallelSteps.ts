import type { OrderCommand } from '../../domain/order/decide.ts';
import type { SagaStep } from '../steps.ts';

/**
 * Kinds whose consecutive steps touch independent aggregates and may run at once. The timeout row
 * of OrderPlaced is one of them: it must be there before the order's close clears it, and that
 * cannot come first: the confirmation is a later round of this reaction (after every step of this
 * batch settled), and OrderConfirmed/OrderRejected react on the order's lane, behind this one.
 * (Were it cleared first, the row would only linger until due, when the sweeper drops it as stale.)
 */
const INDEPENDENT: ReadonlySet<SagaStep['kind']> = new Set(['inventory', 'authorise', 'scheduleTimeout']);

/**
 * One unit of a reaction's work, run after the previous one finished: steps that may run at once,
 * or consecutive commands on one order, decided in turn and appended in one statement.
 */
export type StepBatch =
  | { run: 'together'; steps: SagaStep[] }
  | { run: 'series'; orderId: string; commands: OrderCommand[]; steps: SagaStep[] };

/**
 * Splits steps into batches run one after the other. A run of consecutive timeout, stock and
 * authorisation steps runs at once (the "reserve ∥ authorise" of the saga: each writes its own
 * stream or row and none reads another's). A run of consecutive steps on the same order (mark stock,
 * mark payment, confirm) is one series: one read and one append instead of one of each per
 * command. Every other step is a batch of its own, so compensations and transitions keep their order.
 */
export function parallelBatches(steps: readonly SagaStep[]): StepBatch[] {
  const batches: StepBatch[] = [];
  for (const step of steps) {
    const last = batches.at(-1);
    if (step.kind === 'order' && last?.run === 'series' && last.orderId === step.orderId) {
      last.commands.push(step.command);
      last.steps.push(step);
    } else if (step.kind === 'order') {
      batches.push({ run: 'series', orderId: step.orderId, commands: [step.command], steps: [step] });
    } else if (last?.run === 'together' && INDEPENDENT.has(step.kind) && last.steps.every((s) => INDEPENDENT.has(s.kind))) {
      last.steps.push(step);
    } else {
      batches.push({ run: 'together', steps: [step] });
    }
  }
  return batches;
}

/**
 * Runs `tasks` at once and waits for all of them; throws the first failure in task order (after
 * every task settled, so no step is still running when the caller reloads and reacts again).
 */
export async function settleAll(tasks: readonly Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
