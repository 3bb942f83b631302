import { inventoryDecider, orderDecider, paymentDecider } from '../../domain/aggregate.ts';
import type { InventoryState } from '../../domain/inventory/inventory.ts';
import type { CommandHandler } from '../../handlers/commandHandler.ts';
import { paymentFacts, reservationFacts, type SagaContext } from '../context.ts';

/**
 * The SKUs of orders seen lately. An order's lines are fixed when it is placed, so once its SKUs
 * are known a context can read their inventory streams beside the order instead of after it: one
 * round trip less on each of an order's ~6 reactions (two of them on its way to "confirmed").
 */
export interface OrderSkus {
  get(orderId: string): readonly string[] | undefined;
  remember(orderId: string, skus: readonly string[]): void;
}

/** An {@link OrderSkus} of at most `max` orders, the oldest remembered forgotten first. @default max 10000 */
export function createOrderSkus(max = 10_000): OrderSkus {
  const byOrder = new Map<string, readonly string[]>();
  return {
    get: (orderId) => byOrder.get(orderId),
    remember(orderId, skus) {
      if (byOrder.has(orderId)) return;
      byOrder.set(orderId, skus);
      if (byOrder.size > max) byOrder.delete(byOrder.keys().next().value as string);
    },
  };
}

/**
 * Reads everything the saga needs about one order from the event store: the order, the
 * reservation of each of its lines' SKUs, and its payment. Every read starts after the triggering
 * event was stored, so each is at least as new as that event (possibly newer). With `known`, the
 * SKUs it remembers for the order are read at once with the order; a SKU it did not know (the
 * first context of an order) is read after the order.
 * @throws whatever the event store throws (database errors are transient for the caller).
 */
export async function loadSagaContext(handler: CommandHandler, orderId: string, now: Date, timeoutMs: number, known?: OrderSkus): Promise<SagaContext> {
  const loadInventory = async (sku: string) => [sku, (await handler.load(inventoryDecider, sku)).state] as const;
  const [{ state: order }, { state: payment }, early] = await Promise.all([
    handler.load(orderDecider, orderId), handler.load(paymentDecider, orderId), Promise.all((known?.get(orderId) ?? []).map(loadInventory)),
  ]);
  const skus = order.status === 'none' ? [] : [...new Set(order.lines.map((l) => l.sku))];
  if (order.status !== 'none') known?.remember(orderId, skus);
  const have = new Map<string, InventoryState>(early);
  // One round trip for every line's SKU at once: a context is loaded per reaction, ~6 per order.
  const late = await Promise.all(skus.filter((sku) => !have.has(sku)).map(loadInventory));
  for (const [sku, state] of late) have.set(sku, state);
  const inventories: Record<string, InventoryState> = Object.fromEntries(skus.map((sku) => [sku, have.get(sku) as InventoryState]));
  return {
    order,
    now: now.toISOString(),
    timeoutMs,
    reservations: reservationFacts(orderId, inventories),
    ...paymentFacts(payment),
  };
}
