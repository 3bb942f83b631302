import { z } from 'zod';
import { Sku, text, UnitPrice } from './shared.ts';

/** Input of the `defineProduct` mutation. */
export const DefineProductInput = z.object({ sku: Sku, name: text(1, 200), unitPrice: UnitPrice });
export type DefineProductInput = z.infer<typeof DefineProductInput>;

/** Input of the `changePrice` mutation. */
export const ChangePriceInput = z.object({ sku: Sku, unitPrice: UnitPrice });
export type ChangePriceInput = z.infer<typeof ChangePriceInput>;
