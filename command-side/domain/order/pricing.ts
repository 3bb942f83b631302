import type { OrderLine, Money } from '../../../contracts/index.ts';
import { assertPositiveInt, DomainError } from '../errors.ts';

/** Current unit prices by SKU, looked up by the handler (never sent by the client). */
export type PriceCatalogue = Readonly<Record<string, { unitPrice: Money } | undefined>>;

/** A priced order: one currency, integer totals. */
export interface PricedOrder {
  currency: string;
  lines: OrderLine[];
  totalMinor: number;
}

/**
 * Prices requested lines from the catalogue, in integer minor units.
 * Guarantees `totalMinor === sum(lineTotalMinor)` and `lineTotalMinor === quantity * unitPriceMinor`.
 * @throws DomainError `BAD_USER_INPUT` (with a `['lines', i, field]` path) for no lines,
 * a repeated or unknown SKU, a non-positive quantity, mixed currencies, or a total
 * beyond Number.MAX_SAFE_INTEGER.
 */
export function priceLines(
  requested: readonly { sku: string; quantity: number }[],
  catalogue: PriceCatalogue,
): PricedOrder {
  if (requested.length === 0) throw new DomainError('BAD_USER_INPUT', 'an order needs at least one line', ['lines']);
  const seen = new Set<string>();
  let currency: string | null = null;
  let totalMinor = 0;
  const lines = requested.map(({ sku, quantity }, i): OrderLine => {
    const at = (field: string) => ['lines', String(i), field];
    if (seen.has(sku)) throw new DomainError('BAD_USER_INPUT', `sku ${sku} appears twice`, at('sku'));
    seen.add(sku);
    // hasOwn: a SKU like "constructor" must not resolve to an Object.prototype member.
    const entry = Object.hasOwn(catalogue, sku) ? catalogue[sku] : undefined;
    if (!entry) throw new DomainError('BAD_USER_INPUT', `unknown sku ${sku}`, at('sku'));
    assertPositiveInt(quantity, 'quantity', at('quantity'));
    const { amountMinor: unitPriceMinor, currency: lineCurrency } = entry.unitPrice;
    currency ??= lineCurrency;
    if (lineCurrency !== currency) {
      throw new DomainError('BAD_USER_INPUT', `sku ${sku} is priced in ${lineCurrency}, order is in ${currency}`, at('sku'));
    }
    const lineTotalMinor = quantity * unitPriceMinor;
    totalMinor += lineTotalMinor;
    if (!Number.isSafeInteger(lineTotalMinor) || !Number.isSafeInteger(totalMinor)) {
      throw new DomainError('BAD_USER_INPUT', 'order total is too large', at('quantity'));
    }
    return { sku, quantity, unitPriceMinor, lineTotalMinor };
  });
  return { currency: currency ?? '', lines, totalMinor };
}
