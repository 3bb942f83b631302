import type { Money } from '../../../contracts/index.ts';
import { assertCurrency, assertPositiveInt, DomainError } from '../errors.ts';
import type { ProductEvent, ProductState } from './product.ts';

/** Adds a SKU to the catalogue. */
export interface DefineProduct {
  type: 'DefineProduct';
  data: { sku: string; name: string; unitPrice: Money };
}

/** Sets a new unit price; the currency is fixed at definition. */
export interface ChangePrice {
  type: 'ChangePrice';
  data: { sku: string; unitPrice: Money };
}

/** Commands of the product aggregate. */
export type ProductCommand = DefineProduct | ChangePrice;

function assertPrice(price: Money): void {
  assertPositiveInt(price.amountMinor, 'unitPrice.amountMinor', ['unitPrice', 'amountMinor']);
  assertCurrency(price.currency, ['unitPrice', 'currency']);
}

/**
 * Decides the events for a product command.
 * @throws DomainError `CONFLICT` when defining an existing product; `NOT_FOUND` when
 * re-pricing an unknown one; `BAD_USER_INPUT` for a bad price or a currency change.
 */
export function decide(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.type) {
    case 'DefineProduct': {
      if (state.status === 'defined') throw new DomainError('CONFLICT', `product ${command.data.sku} already exists`);
      if (command.data.name.trim() === '') throw new DomainError('BAD_USER_INPUT', 'name must not be empty', ['name']);
      assertPrice(command.data.unitPrice);
      return [{ type: 'ProductDefined', data: command.data }];
    }
    case 'ChangePrice': {
      if (state.status !== 'defined') throw new DomainError('NOT_FOUND', `product ${command.data.sku} not found`);
      const { unitPrice } = command.data;
      assertPrice(unitPrice);
      if (unitPrice.currency !== state.unitPrice.currency) {
        throw new DomainError(
          'BAD_USER_INPUT',
          `currency of ${state.sku} is ${state.unitPrice.currency}; it cannot change`,
          ['unitPrice', 'currency'],
        );
      }
      // Same price again: nothing happened, so record nothing.
      if (unitPrice.amountMinor === state.unitPrice.amountMinor) return [];
      return [{ type: 'ProductPriceChanged', data: { sku: state.sku, unitPrice } }];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
}
