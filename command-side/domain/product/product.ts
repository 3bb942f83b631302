import type { CatalogueEvent, Money } from '../../../contracts/index.ts';

/** Events of the product aggregate (stream `product-<sku>`). */
export type ProductEvent = CatalogueEvent;

/** Product state: absent until defined. */
export type ProductState =
  | { status: 'undefined' }
  | { status: 'defined'; sku: string; name: string; unitPrice: Money };

/** State of a stream with no events. */
export const initialState: ProductState = { status: 'undefined' };

/** Applies one event. Pure; trusts the event (it was decided against this state). */
export function evolve(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductDefined':
      return { status: 'defined', ...event.data };
    case 'ProductPriceChanged':
      return state.status === 'defined' ? { ...state, unitPrice: event.data.unitPrice } : state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
