import { Sku } from '../../contracts/index.ts';
import { badUserInput } from '../errors.ts';

/**
 * Checks a list of SKU arguments before anything is read or subscribed: between `min` and `max`
 * items, each in the catalogue's SKU format (so no arbitrary string becomes a key). Duplicates are
 * dropped. @throws GraphQLError BAD_USER_INPUT naming the first bad item.
 */
export function validSkus(skus: readonly string[], field: string, { min, max }: { min: number; max: number }): string[] {
  if (skus.length < min || skus.length > max) throw badUserInput(`${field} must hold ${min}..${max} items`, [{ path: [field], message: `${min}..${max} items` }]);
  skus.forEach((sku, i) => validSku(sku, [field, String(i)]));
  return [...new Set(skus)];
}

/** @throws GraphQLError BAD_USER_INPUT unless `sku` has the catalogue's SKU format. */
export function validSku(sku: string, path: string[]): string {
  const r = Sku.safeParse(sku);
  if (!r.success) throw badUserInput(`${path.join('.')} is not a valid sku`, [{ path, message: r.error.issues[0]?.message ?? 'invalid sku' }]);
  return sku;
}
