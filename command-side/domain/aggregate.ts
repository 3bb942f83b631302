import { streamIdOf } from '../../contracts/index.ts';
import * as inventory from './inventory/inventory.ts';
import { decide as decideInventory, type InventoryCommand } from './inventory/decide.ts';
import * as order from './order/order.ts';
import { decide as decideOrder, type OrderCommand } from './order/decide.ts';
import * as payment from './payment/payment.ts';
import { decide as decidePayment, type PaymentCommand } from './payment/decide.ts';
import * as product from './product/product.ts';
import { decide as decideProduct, type ProductCommand } from './product/decide.ts';

/**
 * A pure aggregate: how to name its stream, fold its events, and decide new ones.
 * Handlers load `streamId(id)`, fold with `evolve` from `initialState`, call `decide`,
 * and append the result (nothing when `decide` throws or returns `[]`).
 */
export interface Decider<C, E, S> {
  streamId(id: string): string;
  initialState: S;
  evolve(s: S, e: E): S;
  decide(c: C, s: S): E[];
}

/** Folds `events` into a state, starting from the decider's initial state. */
export function fold<C, E, S>(decider: Decider<C, E, S>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState);
}

/** Product aggregate; stream `product-<sku>`. */
export const productDecider: Decider<ProductCommand, product.ProductEvent, product.ProductState> = {
  streamId: (sku) => streamIdOf('product', sku),
  initialState: product.initialState,
  evolve: product.evolve,
  decide: decideProduct,
};

/** Order aggregate; stream `order-<orderId>`. */
export const orderDecider: Decider<OrderCommand, order.OrderEvent, order.OrderState> = {
  streamId: (orderId) => streamIdOf('order', orderId),
  initialState: order.initialState,
  evolve: order.evolve,
  decide: decideOrder,
};

/** Inventory item aggregate; stream `inventory-<sku>`. */
export const inventoryDecider: Decider<InventoryCommand, inventory.InventoryEvent, inventory.InventoryState> = {
  streamId: (sku) => streamIdOf('inventory', sku),
  initialState: inventory.initialState,
  evolve: inventory.evolve,
  decide: decideInventory,
};

/** Payment aggregate; stream `payment-<orderId>`. */
export const paymentDecider: Decider<PaymentCommand, payment.PaymentEvent, payment.PaymentState> = {
  streamId: (orderId) => streamIdOf('payment', orderId),
  initialState: payment.initialState,
  evolve: payment.evolve,
  decide: decidePayment,
};
