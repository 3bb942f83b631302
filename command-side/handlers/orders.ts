import { createHash, randomUUID } from 'node:crypto';
import { CancelOrderInput, PlaceOrderInput, ShipOrderInput } from '../../contracts/index.ts';
import { orderDecider } from '../domain/aggregate.ts';
import type { PaymentVault } from '../payments/paymentVault.ts';
import type { CommandContext, CommandHandler, CommandResult } from './commandHandler.ts';
import { StaleGuardError } from './errors.ts';
import { priceCacheOf } from './priceCache.ts';
import { parseInput } from './validation.ts';

/** Attempts when prices change under a placeOrder (each refreshes the stale entries). */
const MAX_PRICE_ATTEMPTS = 4;

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
  const prices = priceCacheOf(handler);

  return {
    /** The customer who placed `orderId`, or undefined when there is no such order (what access checks need). */
    async orderOwner(orderId: string): Promise<string | undefined> {
      const { state } = await handler.load(orderDecider, orderId);
      return state.status === 'none' ? undefined : state.customerId;
    },
    /**
     * Places an order priced from the catalogue. The order id is the client's (for safe retries)
     * or a new uuid. @throws InputValidationError, DomainError BAD_USER_INPUT (unknown SKU, mixed currency),
     * StaleGuardError (CONFLICT) when prices kept changing through every attempt.
     */
    async placeOrder(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(PlaceOrderInput, input);
      const orderId = data.orderId ?? (ctx.idempotencyKey ? uuidFromKey(ctx.idempotencyKey) : randomUUID());
      const skus = data.lines.map((l) => l.sku);
      const { paymentToken, ...rest } = data;
      // Only the provider's reference goes further; the idempotency fingerprint is a hash of the request.
      const { ref: paymentRef, entry: vaultEntry } = await vault.exchange(paymentToken);
      // Prices come from the per-process cache; the append checks their versions in its own
      // statement, so an old price is never charged: a stale entry costs one more attempt.
      for (let attempt = 1; ; attempt++) {
        const { catalogue, guards } = await prices.lookUp(skus);
        const now = handler.clock().toISOString();
        try {
          // A new order's stream does not exist yet (the id is new, or the key's first use): skip
          // the read; a retry or a reused id loses the stream claim and then reads.
          return await handler.handle(orderDecider, orderId, { type: 'PlaceOrder', data: { ...rest, paymentRef, orderId, catalogue, now } }, ctx, { request: data, assumeNew: true, guards, ...(vaultEntry && { vaultEntry }) });
        } catch (err) {
          if (!(err instanceof StaleGuardError) || attempt >= MAX_PRICE_ATTEMPTS) throw err;
          prices.invalidate(err.streams);
        }
      }
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
