import { inventoryProjection, orderDetailProjection, encodeCursor, ordersByCustomerProjection, ProjectionError, revenueByDayProjection, salesByProductProjection } from '../../projector/index.ts';
import type { AppContext } from '../appContext.ts';
import { mayAccessCustomer, requireAuthenticated, requireCustomerAccess, requireStaff } from '../auth/access.ts';
import { badUserInput } from '../errors.ts';
import { toOrder, toOrderSummary, toProductSales, toRevenueDay, toStockLevel } from '../views/mappers.ts';
import { validSku, validSkus } from './arguments.ts';
import { awaitConsistency } from './consistentWith.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_PAGE = 100;
const MAX_SKUS = 100;
const MAX_DAYS = 366;


function validDay(value: string, field: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw badUserInput(`${field} must be a date YYYY-MM-DD`, [{ path: [field], message: 'expected YYYY-MM-DD' }]);
  }
  return ms;
}

/** Query resolvers: views only (never the event store), DataLoader-batched, with `consistentWith`. */
export const readResolvers = {
  Query: {
    async order(_: unknown, a: { id: string; consistentWith?: string | null }, ctx: AppContext) {
      requireAuthenticated(ctx.principal);
      await awaitConsistency(ctx, [orderDetailProjection], a.consistentWith);
      // A cache hit (at the request's read floor) answers at once: no DataLoader built and no batch
      // tick for the one point read most operations make; anything else goes through the loader.
      const cached = ctx.services.views.cachedOrderDetail(a.id, ctx.readFloor.length > 0 ? ctx.readFloor : undefined);
      const doc = cached === undefined ? await ctx.loaders.order.load(a.id) : (cached ?? undefined);
      // Someone else's order reads exactly like a missing one: the answer is no existence oracle.
      if (!doc || !mayAccessCustomer(ctx.principal, doc.customerId)) return null;
      return toOrder(doc);
    },
    async ordersByCustomer(_: unknown, a: { customerId: string; first?: number | null; after?: string | null; consistentWith?: string | null }, ctx: AppContext) {
      requireCustomerAccess(ctx.principal, a.customerId);
      const first = a.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badUserInput(`first must be 1..${MAX_PAGE}`, [{ path: ['first'], message: `1..${MAX_PAGE}` }]);
      await awaitConsistency(ctx, [ordersByCustomerProjection], a.consistentWith);
      try {
        const page = await ctx.services.views.customerOrders(a.customerId, first, a.after);
        return {
          edges: page.items.map((r) => ({ cursor: encodeCursor({ placedAt: r.placedAt, orderId: r._id }), node: toOrderSummary(r) })),
          pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
        };
      } catch (err) {
        if (err instanceof ProjectionError && err.code === 'INVALID_CURSOR') throw badUserInput('after is not a valid cursor', [{ path: ['after'], message: err.message }]);
        throw err;
      }
    },
    async revenueByDay(_: unknown, a: { from: string; to: string; currency?: string | null; consistentWith?: string | null }, ctx: AppContext) {
      requireStaff(ctx.principal);
      const from = validDay(a.from, 'from');
      const to = validDay(a.to, 'to');
      if (to < from) throw badUserInput('to must not be before from', [{ path: ['to'], message: 'before from' }]);
      if ((to - from) / 86_400_000 >= MAX_DAYS) throw badUserInput(`at most ${MAX_DAYS} days`, [{ path: ['to'], message: 'range too long' }]);
      if (a.currency != null && !/^[A-Z]{3}$/.test(a.currency)) throw badUserInput('currency must be 3 upper-case letters', [{ path: ['currency'], message: 'ISO-4217' }]);
      await awaitConsistency(ctx, [revenueByDayProjection], a.consistentWith);
      return (await ctx.services.views.revenue(a.from, a.to, a.currency ?? undefined)).map(toRevenueDay);
    },
    async inventory(_: unknown, a: { skus: string[]; consistentWith?: string | null }, ctx: AppContext) {
      requireAuthenticated(ctx.principal);
      const skus = validSkus(a.skus, 'skus', { min: 0, max: MAX_SKUS });
      await awaitConsistency(ctx, [inventoryProjection], a.consistentWith);
      const docs = await ctx.loaders.stock.loadMany(skus);
      return docs.flatMap((d) => (d && !(d instanceof Error) ? [toStockLevel(d)] : []));
    },
    async salesByProduct(_: unknown, a: { sku: string; consistentWith?: string | null }, ctx: AppContext) {
      requireStaff(ctx.principal);
      validSku(a.sku, ['sku']);
      await awaitConsistency(ctx, [salesByProductProjection], a.consistentWith);
      const b = await ctx.loaders.sales.load(a.sku);
      return b ? toProductSales(b) : null;
    },
  },
  OrderSummary: {
    detail: async (s: { id: string }, _: unknown, ctx: AppContext) => {
      const d = await ctx.loaders.order.load(s.id);
      return d ? toOrder(d) : null;
    },
  },
};
