import { AdjustStockInput, RestockInput } from '../../contracts/index.ts';
import { inventoryDecider } from '../domain/aggregate.ts';
import type { CommandContext, CommandHandler, CommandResult } from './commandHandler.ts';
import { parseInput } from './validation.ts';

/** Stock use cases driven by warehouse staff. */
export function inventoryCommands(handler: CommandHandler) {
  return {
    /** Adds units to a SKU's on-hand stock. @throws InputValidationError. */
    restock(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(RestockInput, input);
      return handler.handle(inventoryDecider, data.sku, { type: 'Restock', data }, ctx);
    },
    /** Corrects on-hand stock; never below what is reserved. @throws InputValidationError, DomainError CONFLICT. */
    adjustStock(input: unknown, ctx: CommandContext): Promise<CommandResult> {
      const data = parseInput(AdjustStockInput, input);
      return handler.handle(inventoryDecider, data.sku, { type: 'AdjustStock', data }, ctx);
    },
  };
}
