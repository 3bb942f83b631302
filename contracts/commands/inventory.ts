import { z } from 'zod';
import { Sku, text } from './shared.ts';

/** Input of the `restock` mutation (operator). */
export const RestockInput = z.object({ sku: Sku, quantity: z.int().min(1).max(1_000_000) });
export type RestockInput = z.infer<typeof RestockInput>;

/** Input of the `adjustStock` mutation (operator); `delta` may be negative, never zero. */
export const AdjustStockInput = z.object({
  sku: Sku,
  delta: z.int().refine((d) => d !== 0, 'delta must not be zero'),
  reason: text(1, 500),
});
export type AdjustStockInput = z.infer<typeof AdjustStockInput>;
