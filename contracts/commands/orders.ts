import { z } from 'zod';
import { Sku, text, Uuid } from './shared.ts';

/** Input of the `placeOrder` mutation. Prices are never taken from the client. */
export const PlaceOrderInput = z
  .object({
    orderId: Uuid.optional(),
    customerId: text(1, 64),
    lines: z.array(z.object({ sku: Sku, quantity: z.int().min(1).max(1000) })).min(1).max(100),
    shippingAddress: z.object({
      line1: text(1, 200),
      city: text(1, 100),
      postalCode: text(1, 20),
      country: z.string().regex(/^[A-Z]{2}$/, 'country must be 2 upper-case letters'),
    }),
    paymentToken: text(1, 64),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.lines.forEach((line, i) => {
      if (seen.has(line.sku)) {
        ctx.addIssue({ code: 'custom', message: `duplicate sku ${line.sku}`, path: ['lines', i, 'sku'] });
      }
      seen.add(line.sku);
    });
  });
export type PlaceOrderInput = z.infer<typeof PlaceOrderInput>;

/** Input of the `cancelOrder` mutation. */
export const CancelOrderInput = z.object({ orderId: Uuid, reason: text(1, 500) });
export type CancelOrderInput = z.infer<typeof CancelOrderInput>;

/** Input of the `shipOrder` mutation (operator). */
export const ShipOrderInput = z.object({ orderId: Uuid });
export type ShipOrderInput = z.infer<typeof ShipOrderInput>;
