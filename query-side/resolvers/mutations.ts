import { catalogueCommands, type CommandContext, type CommandResult, inventoryCommands, orderCommands } from '../../command-side/index.ts';
import { parseStreamId } from '../../contracts/index.ts';
import { currentTraceparent } from '../../platform/index.ts';
import type { AppContext } from '../appContext.ts';
import { requireCustomerAccess, requireStaff } from '../auth/access.ts';
import { streamToken } from '../consistency/token.ts';
import { badUserInput, notFound } from '../errors.ts';
import { toGraphQLError } from './commandErrors.ts';

type Args = { input: Record<string, unknown>; idempotencyKey?: string | null };

function commandContext(ctx: AppContext, mutation: string, key: string | null | undefined): CommandContext {
  if (key !== null && key !== undefined && (key.length < 1 || key.length > 200)) {
    throw badUserInput('idempotencyKey must be 1 to 200 characters', [{ path: ['idempotencyKey'], message: 'length 1..200' }]);
  }
  return {
    correlationId: ctx.correlationId,
    traceparent: currentTraceparent(),
    metadata: { principal: ctx.principal.subject },
    // Scoped so two principals (or two mutations) never share a key.
    ...(key ? { idempotencyKey: `${ctx.principal.subject}:${mutation}:${key}` } : {}),
  };
}

function toResult(r: CommandResult, id: string) {
  return { id, streamVersion: r.streamVersion, consistencyToken: streamToken(r.streamId, r.position), applied: r.appended.length > 0 };
}

async function run(fn: () => Promise<CommandResult>, id: (r: CommandResult) => string) {
  try {
    const r = await fn();
    return toResult(r, id(r));
  } catch (err) {
    throw toGraphQLError(err);
  }
}

// The id inside the stream the command wrote: a SKU for product and inventory streams, an order id for orders.
const idOf = (r: CommandResult) => parseStreamId(r.streamId)?.id ?? r.streamId;

/** Mutation resolvers: validate → authorise → command handler; errors are typed, bad input writes nothing. */
export const mutationResolvers = {
  Mutation: {
    defineProduct: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run(() => catalogueCommands(ctx.services.commands).defineProduct(a.input, commandContext(ctx, 'defineProduct', a.idempotencyKey)), idOf);
    },
    changePrice: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run(() => catalogueCommands(ctx.services.commands).changePrice(a.input, commandContext(ctx, 'changePrice', a.idempotencyKey)), idOf);
    },
    restock: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run(() => inventoryCommands(ctx.services.commands).restock(a.input, commandContext(ctx, 'restock', a.idempotencyKey)), idOf);
    },
    adjustStock: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run(() => inventoryCommands(ctx.services.commands).adjustStock(a.input, commandContext(ctx, 'adjustStock', a.idempotencyKey)), idOf);
    },
    placeOrder: (_: unknown, a: Args, ctx: AppContext) => {
      requireCustomerAccess(ctx.principal, String(a.input.customerId ?? ''));
      return run(() => orderCommands(ctx.services.commands).placeOrder(a.input, commandContext(ctx, 'placeOrder', a.idempotencyKey)), idOf);
    },
    cancelOrder: async (_: unknown, a: Args, ctx: AppContext) => {
      const orderId = String(a.input.orderId ?? '');
      const owner = await orderCommands(ctx.services.commands).orderOwner(orderId).catch(() => undefined);
      if (owner === undefined) throw notFound('order', orderId);
      requireCustomerAccess(ctx.principal, owner);
      return run(() => orderCommands(ctx.services.commands).cancelOrder(a.input, commandContext(ctx, 'cancelOrder', a.idempotencyKey)), idOf);
    },
    shipOrder: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run(() => orderCommands(ctx.services.commands).shipOrder(a.input, commandContext(ctx, 'shipOrder', a.idempotencyKey)), idOf);
    },
  },
};
