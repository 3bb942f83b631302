import { inventoryDecider, orderDecider } from '../../command-side/domain/aggregate.ts';
import { catalogueCommands } from '../../command-side/handlers/catalogue.ts';
import type { CommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import type pg from 'pg';
import { testCtx } from './eventStore.ts';

/** Defines a product priced `amountMinor` and stocks `onHand` units. */
export async function seedProduct(handler: CommandHandler, sku: string, amountMinor: number, onHand: number, currency = 'EUR'): Promise<void> {
  await catalogueCommands(handler).defineProduct({ sku, name: `Product ${sku}`, unitPrice: { amountMinor, currency } }, testCtx());
  if (onHand > 0) await handler.handle(inventoryDecider, sku, { type: 'Restock', data: { sku, quantity: onHand } }, testCtx());
}

/** Places an order for a customer (its card token vaulted in `pool`'s sandbox vault) and returns its id. */
export async function placeOrder(handler: CommandHandler, pool: pg.Pool, customerId: string, lines: { sku: string; quantity: number }[], paymentToken = 'tok_visa'): Promise<string> {
  const r = await orderCommands(handler, createPostgresPaymentVault(pool)).placeOrder({
    customerId, lines, paymentToken, shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' },
  }, testCtx());
  return r.streamId.replace(/^order-/, '');
}

/** Drives an order to confirmed the way the saga would (reserve each line, authorise, confirm). */
export async function confirmOrder(handler: CommandHandler, orderId: string, lines: { sku: string; quantity: number }[]): Promise<void> {
  const now = new Date().toISOString();
  for (const l of lines) await handler.handle(inventoryDecider, l.sku, { type: 'ReserveStock', data: { sku: l.sku, orderId, quantity: l.quantity } }, testCtx());
  await handler.handle(orderDecider, orderId, { type: 'MarkStockReserved', data: { orderId } }, testCtx());
  await handler.handle(orderDecider, orderId, { type: 'MarkPaymentAuthorised', data: { orderId, authorisationId: `auth-${orderId}` } }, testCtx());
  await handler.handle(orderDecider, orderId, { type: 'ConfirmOrder', data: { orderId, now } }, testCtx());
}
