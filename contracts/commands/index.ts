export { ChangePriceInput, DefineProductInput } from './catalogue.ts';
export { CancelOrderInput, PlaceOrderInput, ShipOrderInput } from './orders.ts';
export { AdjustStockInput, RestockInput } from './inventory.ts';
export { Sku, UnitPrice, Uuid } from './shared.ts';
export { validateCommand, type ValidationResult } from './validate.ts';
