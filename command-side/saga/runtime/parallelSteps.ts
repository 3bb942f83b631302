import type { SagaStep } from '../steps.ts';

/** Kinds whose consecutive steps touch independent aggregates and may run at once. */
const INDEPENDENT: ReadonlySet<SagaStep['kind']> = new Set(['inventory', 'authorise']);

/**
 * Splits steps into batches run one after the other; the steps of one batch may run at once.
 * Only a run of consecutive stock and authorisation steps shares a batch (the "reserve ∥
 * authorise" of the saga: each writes its own stream and neither reads the other); every other
 * step is a batch of its own, so compensations and order transitions keep their order.
 */
export function parallelBatches(steps: readonly SagaStep[]): SagaStep[][] {
  const batches: SagaStep[][] = [];
  for (const step of steps) {
    const last = batches.at(-1);
    const joins = last !== undefined && INDEPENDENT.has(step.kind) && last.every((s) => INDEPENDENT.has(s.kind));
    if (joins) last.push(step);
    else batches.push([step]);
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
