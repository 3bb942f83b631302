import { inventoryProjection, orderDetailProjection, ordersByCustomerProjection, type Projection, revenueByDayProjection } from '../../projector/index.ts';
import type { AppContext } from '../appContext.ts';
import { mayAccessCustomer, requireAuthenticated, requireCustomerAccess, requireStaff } from '../auth/access.ts';
import { hasRole } from '../auth/principal.ts';
import { badUserInput, notFound } from '../errors.ts';
import type { Channel } from '../subscriptions/hub.ts';
import { validSkus } from './arguments.ts';
import { awaitConsistency, verifiedToken } from './consistentWith.ts';

/**
 * The resume token that names no position ("replay the current state of the whole scope"): the
 * client library sends it before it has received any token (`REPLAY_ALL_TOKEN` in clients/ts). It
 * grants nothing a signature would protect (no wait, no position), so it needs none.
 */
const REPLAY_ALL = Buffer.from(JSON.stringify({ v: 1, w: {} })).toString('base64url');

type Common = { since?: string | null; consistentWith?: string | null };

async function open(ctx: AppContext, channel: Channel, keys: string[], projection: Projection, a: Common) {
  if (a.since != null && a.since !== REPLAY_ALL) verifiedToken(ctx, 'since', a.since);
  await awaitConsistency(ctx, [projection], a.consistentWith);
  return ctx.services.hub.subscribe(channel, keys, a.since != null, ctx.readFloor.length > 0 ? ctx.readFloor : undefined);
}

const passThrough = (p: unknown) => p;

/** Live subscriptions fed by "view changed" notifications; `since` resumes after a disconnect. */
export const subscriptionResolvers = {
  Subscription: {
    orderUpdated: {
      async subscribe(_: unknown, a: Common & { orderId: string }, ctx: AppContext) {
        requireAuthenticated(ctx.principal);
        // Wait for the token first: ownership is checked against the view, which must hold the order.
        await awaitConsistency(ctx, [orderDetailProjection], a.consistentWith);
        const doc = await ctx.loaders.order.load(a.orderId);
        // Staff may watch an order before its view exists; a customer gets the same NOT_FOUND for
        // someone else's order as for a missing one (no existence oracle).
        const staff = hasRole(ctx.principal, 'operator') || hasRole(ctx.principal, 'staff');
        if (!staff && (!doc || !mayAccessCustomer(ctx.principal, doc.customerId))) throw notFound('order', a.orderId);
        return open(ctx, 'order', [a.orderId], orderDetailProjection, { since: a.since ?? null });
      },
      resolve: passThrough,
    },
    customerOrdersChanged: {
      subscribe(_: unknown, a: Common & { customerId: string }, ctx: AppContext) {
        requireCustomerAccess(ctx.principal, a.customerId);
        return open(ctx, 'customer', [a.customerId], ordersByCustomerProjection, a);
      },
      resolve: passThrough,
    },
    revenueUpdated: {
      subscribe(_: unknown, a: Common & { currency: string }, ctx: AppContext) {
        requireStaff(ctx.principal);
        if (!/^[A-Z]{3}$/.test(a.currency)) throw badUserInput('currency must be 3 upper-case letters', [{ path: ['currency'], message: 'ISO-4217' }]);
        return open(ctx, 'revenue', [a.currency], revenueByDayProjection, a);
      },
      resolve: passThrough,
    },
    inventoryChanged: {
      subscribe(_: unknown, a: Common & { skus: string[] }, ctx: AppContext) {
        requireAuthenticated(ctx.principal);
        return open(ctx, 'inventory', validSkus(a.skus, 'skus', { min: 1, max: 100 }), inventoryProjection, a);
      },
      resolve: passThrough,
    },
  },
};
