import { createHash, randomUUID } from 'node:crypto';
import { CancelOrderInput, PlaceOrderInput, ShipOrderInput } from '../../contracts/index.ts';
import { orderDecider, productDecider } from '../domain/aggregate.ts';
import type { PriceCatalogue } from '../domain/order/pricing.ts';
import type { PaymentVault } from '../payments/paymentVault.ts';
import type { CommandContext, CommandHandler, CommandResult } from './commandHandler.ts';
import { parseInput } from './validation.ts';

/** A stable order id for a retried request without one: a UUID-shaped digest of the idempotency key. */
function uuidFromKey(key: string): string {
  const h = createHash('sha256').update(`order:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Order use cases started by customers and staff (the saga drives the rest). `vault` exchanges the
 * client's card token for the provider's reference before anything is decided or stored.
 */
export function orderCommands(handler: CommandHandler, vault: PaymentVault) {
  /** Current prices of the requested SKUs, read from the catalogue streams (never from the client). */
  async function lookUpPrices(skus: readonly string[]): Promise<PriceCatalogue> {
    const entries = await Promise.all(
      skus.map(async (sku) => {
        const { state } = await handler.load(productDecider, sku);
        return [sku, state.status === 'defined' ? { unitPrice: state.unitPrice } : undefined] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  return {
    /** The customer who placed `orderId`, or undefined when there is no such order (what access checks need). */
    async orderOwner(orderId: string): Promise<string | undefined> {
      const { state } = await handler.load(orderDecider, orderId);
      return state.status === 'none' ? undefined : state.customerId;
    },
    /**
     * Places an order priced from the catalogue. The order id is the client's (for safe retries)
     * or a new uuid. @throws InputValidationError, DomainError BAD_USER_INPUT (unknown SKU, mixed currency).
     */
    async placeOrder(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(PlaceOrderInput, input);
      const generated = data.orderId === undefined && ctx.idempotencyKey === undefined;
      const orderId = data.orderId ?? (ctx.idempotencyKey ? uuidFromKey(ctx.idempotencyKey) : randomUUID());
      const catalogue = await lookUpPrices(data.lines.map((l) => l.sku));
      const now = handler.clock().toISOString();
      const { paymentToken, ...rest } = data;
      const paymentRef = await vault.exchange(paymentToken);
      // The idempotency fingerprint is a hash of the request, so the token in it is never stored.
      return handler.handle(orderDecider, orderId, { type: 'PlaceOrder', data: { ...rest, paymentRef, orderId, catalogue, now } }, ctx, { request: data, assumeNew: generated });
    },
    /** Cancels an order that has not shipped. @throws InputValidationError, DomainError NOT_FOUND / CONFLICT. */
    cancelOrder(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(CancelOrderInput, input);
      return handler.handle(orderDecider, data.orderId, { type: 'CancelOrder', data: { ...data, now: handler.clock().toISOString() } }, ctx, { request: data });
    },
    /** Marks a confirmed order shipped. @throws InputValidationError, DomainError NOT_FOUND / CONFLICT. */
    shipOrder(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(ShipOrderInput, input);
      return handler.handle(orderDecider, data.orderId, { type: 'ShipOrder', data: { ...data, now: handler.clock().toISOString() } }, ctx, { request: data });
    },
  };
}
