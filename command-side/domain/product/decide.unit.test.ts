import { describe, expect, it } from 'vitest';
import { productDecider } from '../aggregate.ts';
import { deciderSpec } from '../../../tests/support/deciderSpec.ts';
import type { ProductEvent } from './product.ts';

const spec = deciderSpec(productDecider);
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const defined: ProductEvent = { type: 'ProductDefined', data: { sku: 'MUG-1', name: 'Mug', unitPrice: eur(1200) } };

describe('product decide', () => {
  describe('DefineProduct', () => {
    it('defines a new product', () =>
      spec.given([]).when({ type: 'DefineProduct', data: defined.data }).then([defined]));

    it('is CONFLICT when already defined', () =>
      spec.given([defined]).when({ type: 'DefineProduct', data: defined.data }).thenThrows('CONFLICT'));

    it('is BAD_USER_INPUT for a non-positive or fractional price', () => {
      const data = { sku: 'MUG-1', name: 'Mug', unitPrice: eur(0) };
      spec.given([]).when({ type: 'DefineProduct', data }).thenThrows('BAD_USER_INPUT', ['unitPrice', 'amountMinor']);
      const frac = { ...data, unitPrice: eur(1.5) };
      spec.given([]).when({ type: 'DefineProduct', data: frac }).thenThrows('BAD_USER_INPUT');
    });

    it('is BAD_USER_INPUT for an empty name', () =>
      spec.given([]).when({ type: 'DefineProduct', data: { ...defined.data, name: ' ' } }).thenThrows('BAD_USER_INPUT', ['name']));
  });

  describe('ChangePrice', () => {
    it('changes the price', () =>
      spec
        .given([defined])
        .when({ type: 'ChangePrice', data: { sku: 'MUG-1', unitPrice: eur(1500) } })
        .then([{ type: 'ProductPriceChanged', data: { sku: 'MUG-1', unitPrice: eur(1500) } }]));

    it('is NOT_FOUND for an undefined product', () =>
      spec.given([]).when({ type: 'ChangePrice', data: { sku: 'MUG-1', unitPrice: eur(1500) } }).thenThrows('NOT_FOUND'));

    it('is BAD_USER_INPUT when the currency changes', () =>
      spec
        .given([defined])
        .when({ type: 'ChangePrice', data: { sku: 'MUG-1', unitPrice: { amountMinor: 1500, currency: 'USD' } } })
        .thenThrows('BAD_USER_INPUT', ['unitPrice', 'currency']));

    it('records nothing when the price is unchanged', () =>
      spec.given([defined]).when({ type: 'ChangePrice', data: { sku: 'MUG-1', unitPrice: eur(1200) } }).then([]));

    it('applies in evolve: the latest price wins', () =>
      spec
        .given([defined, { type: 'ProductPriceChanged', data: { sku: 'MUG-1', unitPrice: eur(1500) } }])
        .when({ type: 'ChangePrice', data: { sku: 'MUG-1', unitPrice: eur(1500) } })
        .then([]));
  });

  it('names its stream product-<sku>', () => {
    expect(productDecider.streamId('MUG-1')).toBe('product-MUG-1');
  });
});
