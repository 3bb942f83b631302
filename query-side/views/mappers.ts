import type { InventoryDoc, OrderDetailDoc, OrderByCustomerDoc, RevenueBucket, SalesBucket } from '../../projector/index.ts';

const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });

/** GraphQL `Order` from an order_detail document. */
export function toOrder(d: OrderDetailDoc) {
  return {
    id: d._id, customerId: d.customerId, status: d.status, placedAt: d.placedAt, updatedAt: d.updatedAt, version: d.v,
    lines: d.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: money(l.unitPriceMinor, d.currency), lineTotal: money(l.lineTotalMinor, d.currency) })),
    total: money(d.totalMinor, d.currency), shippingAddress: d.shippingAddress, statusHistory: d.statusHistory,
    payment: d.payment, reservation: d.reservation, rejectionReason: d.rejectionReason ?? null,
  };
}

/** GraphQL `OrderSummary` from an orders_by_customer row. */
export function toOrderSummary(r: OrderByCustomerDoc) {
  return { id: r._id, customerId: r.customerId, status: r.status, total: money(r.totalMinor, r.currency), itemCount: r.itemCount, placedAt: r.placedAt, updatedAt: r.updatedAt };
}

/** GraphQL `StockLevel`. */
export function toStockLevel(d: InventoryDoc) {
  return { sku: d._id, onHand: d.onHand, reserved: d.reserved, available: d.available, updatedAt: d.updatedAt };
}

/** GraphQL `ProductSales`. */
export function toProductSales(b: SalesBucket) {
  return { sku: b.sku, unitsSold: b.unitsSold, revenue: b.revenue, recentOrders: b.recentOrders };
}

/** GraphQL `RevenueDay`. */
export function toRevenueDay(b: RevenueBucket) {
  return { day: b.day, currency: b.currency, gross: b.grossMinor, refunded: b.refundedMinor, net: b.netMinor, orderCount: b.orderCount, cancelledCount: b.cancelledCount };
}
