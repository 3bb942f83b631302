import { inventoryDecider, orderDecider, paymentDecider } from '../../domain/aggregate.ts';
import type { InventoryState } from '../../domain/inventory/inventory.ts';
import type { CommandHandler } from '../../handlers/commandHandler.ts';
import { paymentFacts, reservationFacts, type SagaContext } from '../context.ts';

/**
 * Reads everything the saga needs about one order from the event store: the order, the
 * reservation of each of its lines' SKUs, and its payment. Read after the triggering event
 * was stored, so it is at least as new as that event (possibly newer).
 * @throws whatever the event store throws (database errors are transient for the caller).
 */
export async function loadSagaContext(handler: CommandHandler, orderId: string, now: Date, timeoutMs: number): Promise<SagaContext> {
  const [{ state: order }, { state: payment }] = await Promise.all([handler.load(orderDecider, orderId), handler.load(paymentDecider, orderId)]);
  const skus = order.status === 'none' ? [] : [...new Set(order.lines.map((l) => l.sku))];
  // One round trip for every line's SKU at once: a context is loaded per reaction, ~6 per order.
  const loaded = await Promise.all(skus.map(async (sku) => [sku, (await handler.load(inventoryDecider, sku)).state] as const));
  const inventories: Record<string, InventoryState> = Object.fromEntries(loaded);
  return {
    order,
    now: now.toISOString(),
    timeoutMs,
    reservations: reservationFacts(orderId, inventories),
    ...paymentFacts(payment),
  };
}
