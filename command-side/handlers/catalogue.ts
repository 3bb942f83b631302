import { ChangePriceInput, DefineProductInput } from '../../contracts/index.ts';
import { productDecider } from '../domain/aggregate.ts';
import type { CommandContext, CommandHandler, CommandResult } from './commandHandler.ts';
import { parseInput } from './validation.ts';

/** Catalogue use cases: define a product and change its price. */
export function catalogueCommands(handler: CommandHandler) {
  return {
    /** Defines a product. @throws InputValidationError, DomainError CONFLICT when the SKU exists. */
    defineProduct(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(DefineProductInput, input);
      return handler.handle(productDecider, data.sku, { type: 'DefineProduct', data }, ctx);
    },
    /** Changes a product's price. @throws InputValidationError, DomainError NOT_FOUND / BAD_USER_INPUT. */
    changePrice(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(ChangePriceInput, input);
      return handler.handle(productDecider, data.sku, { type: 'ChangePrice', data }, ctx);
    },
  };
}
