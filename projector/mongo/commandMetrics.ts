import { counter } from '../../platform/index.ts';

/**
 * `orderflow_projector_store_commands_total{view}`: commands (round trips) the projector's adapter
 * sends to the view store, by logical view. Divided by `orderflow_projector_events_applied_total` it
 * is the store work per event, which coalescing makes fall as batches grow; the bench and the cost
 * tests read it. Counted where each command is sent, so a bulk of 8 updates counts once.
 */
export const storeCommands = counter<'view'>({
  name: 'orderflow_projector_store_commands_total',
  help: 'Commands (round trips) sent to the view store by the projector adapter, by logical view',
  labelNames: ['view'],
});

/** Counts `n` store commands for `view`. */
export function countStoreCommands(view: string, n = 1): void {
  if (n > 0) storeCommands.inc({ view }, n);
}

/** Store commands counted so far, over every view (or one). For tests and the bench. */
export async function storeCommandsSoFar(view?: string): Promise<number> {
  const { values } = await storeCommands.get();
  return values.filter((v) => view === undefined || v.labels.view === view).reduce((n, v) => n + v.value, 0);
}
