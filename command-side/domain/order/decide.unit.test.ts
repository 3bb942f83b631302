import { describe, it } from 'vitest';
import { orderDecider } from '../aggregate.ts';
import { deciderSpec } from '../../../tests/support/deciderSpec.ts';
import type { OrderCommand, PlaceOrder } from './decide.ts';
import type { OrderEvent } from './order.ts';

const spec = deciderSpec(orderDecider);
const orderId = '0b6a3c1e-7d2f-4e8a-9c1b-2f3e4d5a6b7c';
const now = '2025-01-02T10:00:00.000Z';
const eur = (amountMinor: number) => ({ unitPrice: { amountMinor, currency: 'EUR' } });
const address = { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' };

const place: PlaceOrder = {
  type: 'PlaceOrder',
  data: {
    orderId,
    customerId: 'cust-1',
    lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'TEA', quantity: 3 }],
    shippingAddress: address,
    paymentRef: 'pm_test',
    now,
    catalogue: { MUG: eur(1200), TEA: eur(450) },
  },
};
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId: 'cust-1',
    currency: 'EUR',
    lines: [
      { sku: 'MUG', quantity: 2, unitPriceMinor: 1200, lineTotalMinor: 2400 },
      { sku: 'TEA', quantity: 3, unitPriceMinor: 450, lineTotalMinor: 1350 },
    ],
    totalMinor: 3750,
    shippingAddress: address,
    paymentRef: 'pm_test',
    placedAt: now,
  },
};
const stockReserved: OrderEvent = { type: 'OrderStockReserved', data: { orderId } };
const stockShort: OrderEvent = { type: 'OrderStockShort', data: { orderId, reason: 'MUG short' } };
const authorised: OrderEvent = { type: 'OrderPaymentAuthorised', data: { orderId, authorisationId: 'auth-1' } };
const paymentFailed: OrderEvent = { type: 'OrderPaymentFailed', data: { orderId, reason: 'declined' } };
const confirmed: OrderEvent = {
  type: 'OrderConfirmed',
  data: { orderId, customerId: 'cust-1', currency: 'EUR', totalMinor: 3750, confirmedAt: now },
};
const rejected: OrderEvent = {
  type: 'OrderRejected',
  data: { orderId, customerId: 'cust-1', reason: 'stock short', rejectedAt: now },
};
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId, shippedAt: now } };
const cancelledEvent = (wasConfirmed: boolean): OrderEvent => ({
  type: 'OrderCancelled',
  data: { orderId, customerId: 'cust-1', reason: 'changed mind', wasConfirmed, currency: 'EUR', totalMinor: 3750, cancelledAt: now },
});

const cmd = {
  reserve: { type: 'MarkStockReserved', data: { orderId } },
  short: { type: 'MarkStockShort', data: { orderId, reason: 'MUG short' } },
  authorise: { type: 'MarkPaymentAuthorised', data: { orderId, authorisationId: 'auth-1' } },
  fail: { type: 'MarkPaymentFailed', data: { orderId, reason: 'declined' } },
  confirm: { type: 'ConfirmOrder', data: { orderId, now } },
  reject: { type: 'RejectOrder', data: { orderId, reason: 'stock short', now } },
  ship: { type: 'ShipOrder', data: { orderId, now } },
  cancel: { type: 'CancelOrder', data: { orderId, reason: 'changed mind', now } },
} satisfies Record<string, OrderCommand>;

const ready = [placed, stockReserved, authorised];

describe('order decide: PlaceOrder', () => {
  it('prices lines from the catalogue in integers', () => spec.given([]).when(place).then([placed]));

  it('is CONFLICT when the order exists', () => spec.given([placed]).when(place).thenThrows('CONFLICT'));

  it('is BAD_USER_INPUT at lines[i].sku for an unknown sku', () => {
    const data = { ...place.data, catalogue: { MUG: eur(1200) } };
    spec.given([]).when({ ...place, data }).thenThrows('BAD_USER_INPUT', ['lines', '1', 'sku']);
  });

  it('does not resolve prototype members as skus', () => {
    const data = { ...place.data, lines: [{ sku: 'constructor', quantity: 1 }] };
    spec.given([]).when({ ...place, data }).thenThrows('BAD_USER_INPUT', ['lines', '0', 'sku']);
  });

  it('is BAD_USER_INPUT for a non-positive quantity', () => {
    const data = { ...place.data, lines: [{ sku: 'MUG', quantity: 0 }] };
    spec.given([]).when({ ...place, data }).thenThrows('BAD_USER_INPUT', ['lines', '0', 'quantity']);
  });

  it('is BAD_USER_INPUT for mixed currencies', () => {
    const data = { ...place.data, catalogue: { MUG: eur(1200), TEA: { unitPrice: { amountMinor: 450, currency: 'USD' } } } };
    spec.given([]).when({ ...place, data }).thenThrows('BAD_USER_INPUT', ['lines', '1', 'sku']);
  });

  it('is BAD_USER_INPUT for no lines or a repeated sku', () => {
    spec.given([]).when({ ...place, data: { ...place.data, lines: [] } }).thenThrows('BAD_USER_INPUT', ['lines']);
    const lines = [{ sku: 'MUG', quantity: 1 }, { sku: 'MUG', quantity: 1 }];
    spec.given([]).when({ ...place, data: { ...place.data, lines } }).thenThrows('BAD_USER_INPUT', ['lines', '1', 'sku']);
  });

  it('is BAD_USER_INPUT when the total is not a safe integer', () => {
    const data = { ...place.data, lines: [{ sku: 'MUG', quantity: 1000 }], catalogue: { MUG: eur(Number.MAX_SAFE_INTEGER) } };
    spec.given([]).when({ ...place, data }).thenThrows('BAD_USER_INPUT');
  });
});

describe('order decide: saga steps', () => {
  it('records stock reserved and payment authorised in either order', () => {
    spec.given([placed]).when(cmd.reserve).then([stockReserved]);
    spec.given([placed, authorised]).when(cmd.reserve).then([stockReserved]);
    spec.given([placed]).when(cmd.authorise).then([authorised]);
    spec.given([placed, stockReserved]).when(cmd.authorise).then([authorised]);
  });

  it('treats repeats as done', () => {
    spec.given([placed, stockReserved]).when(cmd.reserve).then([]);
    spec.given([placed, authorised]).when(cmd.authorise).then([]);
    spec.given([placed, stockShort]).when(cmd.short).then([]);
    spec.given([placed, paymentFailed]).when(cmd.fail).then([]);
    spec.given([...ready, confirmed]).when(cmd.reserve).then([]);
    spec.given([...ready, confirmed]).when(cmd.confirm).then([]);
    spec.given([...ready, confirmed, shipped]).when(cmd.confirm).then([]);
    spec.given([placed, stockShort, rejected]).when(cmd.short).then([]);
    spec.given([placed, rejected]).when(cmd.reject).then([]);
  });

  it('records failures on a placed order', () => {
    spec.given([placed]).when(cmd.short).then([stockShort]);
    spec.given([placed]).when(cmd.fail).then([paymentFailed]);
  });

  it('is CONFLICT for contradicting outcomes', () => {
    spec.given([placed, stockShort]).when(cmd.reserve).thenThrows('CONFLICT');
    spec.given([placed, stockReserved]).when(cmd.short).thenThrows('CONFLICT');
    spec.given([placed, paymentFailed]).when(cmd.authorise).thenThrows('CONFLICT');
    spec.given([placed, authorised]).when(cmd.fail).thenThrows('CONFLICT');
  });

  it('is CONFLICT for a second, different authorisation (never charge twice)', () =>
    spec
      .given([placed, authorised])
      .when({ type: 'MarkPaymentAuthorised', data: { orderId, authorisationId: 'auth-2' } })
      .thenThrows('CONFLICT'));

  it('is CONFLICT for new progress on a closed order', () => {
    spec.given([placed, rejected]).when(cmd.reserve).thenThrows('CONFLICT');
    spec.given([placed, cancelledEvent(false)]).when(cmd.authorise).thenThrows('CONFLICT');
  });

  it('is NOT_FOUND for an unknown order', () => {
    for (const c of Object.values(cmd)) spec.given([]).when(c).thenThrows('NOT_FOUND');
  });

  it('is BAD_USER_INPUT for an empty reason', () =>
    spec.given([placed]).when({ type: 'MarkStockShort', data: { orderId, reason: '' } }).thenThrows('BAD_USER_INPUT', ['reason']));
});

describe('order decide: lifecycle', () => {
  it('confirms only with stock reserved and payment authorised', () => {
    spec.given(ready).when(cmd.confirm).then([confirmed]);
    spec.given([placed]).when(cmd.confirm).thenThrows('CONFLICT');
    spec.given([placed, stockReserved]).when(cmd.confirm).thenThrows('CONFLICT');
    spec.given([placed, authorised]).when(cmd.confirm).thenThrows('CONFLICT');
    spec.given([placed, stockReserved, authorised, rejected]).when(cmd.confirm).thenThrows('CONFLICT');
  });

  it('rejects placed orders only', () => {
    spec.given([placed, stockShort]).when(cmd.reject).then([rejected]);
    spec.given([...ready, confirmed]).when(cmd.reject).thenThrows('CONFLICT');
    spec.given([placed, cancelledEvent(false)]).when(cmd.reject).thenThrows('CONFLICT');
  });

  it('ships only confirmed orders, once', () => {
    spec.given([...ready, confirmed]).when(cmd.ship).then([shipped]);
    spec.given([...ready, confirmed, shipped]).when(cmd.ship).then([]);
    spec.given(ready).when(cmd.ship).thenThrows('CONFLICT');
    spec.given([placed, rejected]).when(cmd.ship).thenThrows('CONFLICT');
    spec.given([...ready, confirmed, cancelledEvent(true)]).when(cmd.ship).thenThrows('CONFLICT');
  });

  it('cancels placed and confirmed orders, carrying wasConfirmed', () => {
    spec.given([placed]).when(cmd.cancel).then([cancelledEvent(false)]);
    spec.given([...ready, confirmed]).when(cmd.cancel).then([cancelledEvent(true)]);
    spec.given([placed, cancelledEvent(false)]).when(cmd.cancel).then([]);
  });

  it('is CONFLICT to cancel after shipping or rejection', () => {
    spec.given([...ready, confirmed, shipped]).when(cmd.cancel).thenThrows('CONFLICT');
    spec.given([placed, rejected]).when(cmd.cancel).thenThrows('CONFLICT');
  });
});
