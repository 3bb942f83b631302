import { catalogueCommands, type CommandContext, type CommandResult, inventoryCommands, orderCommands } from '../../command-side/index.ts';
import { CancelOrderInput, parseStreamId, validateCommand } from '../../contracts/index.ts';
import { CORRELATION_ID, currentTraceparent, withSpan } from '../../platform/index.ts';
import type { AppContext } from '../appContext.ts';
import { requireAuthenticated, requireCustomerAccess, requireStaff } from '../auth/access.ts';
import { hasRole } from '../auth/principal.ts';
import { badUserInput, notFound } from '../errors.ts';
import { toGraphQLError } from './commandErrors.ts';
import { idempotencyScope } from './idempotencyScope.ts';

type Args = { input: Record<string, unknown>; idempotencyKey?: string | null };

function commandContext(ctx: AppContext, mutation: string, key: string | null | undefined): CommandContext {
  // Control characters (NUL above all: Postgres refuses it in text) would fail the claim as an internal error.
  if (key !== null && key !== undefined && (key.length < 1 || key.length > 200 || /[\u0000-\u001f\u007f]/.test(key))) {
    throw badUserInput('idempotencyKey must be 1 to 200 printable characters', [{ path: ['idempotencyKey'], message: 'length 1..200, no control characters' }]);
  }
  return {
    correlationId: ctx.correlationId,
    traceparent: currentTraceparent(),
    metadata: { principal: ctx.principal.subject },
    // Scoped so two principals (or two mutations) never share a key, length-prefixed so they cannot collide.
    ...(key ? { idempotencyKey: idempotencyScope(ctx.principal.subject, mutation, key) } : {}),
  };
}

function toResult(ctx: AppContext, r: CommandResult, id: string) {
  return { id, streamVersion: r.streamVersion, consistencyToken: ctx.services.tokens.stream(r.streamId, r.position), applied: r.appended.length > 0 };
}

/** Runs a mutation's command inside a `graphql.mutation <name>` span (the first span of a command's trace). */
function run(mutation: string, ctx: AppContext, fn: () => Promise<CommandResult>, id: (r: CommandResult) => string) {
  return withSpan(`graphql.mutation ${mutation}`, { 'graphql.operation.type': 'mutation', 'graphql.operation.name': mutation, [CORRELATION_ID]: ctx.correlationId }, async () => {
    try {
      const r = await fn();
      return toResult(ctx, r, id(r));
    } catch (err) {
      throw toGraphQLError(err);
    }
  });
}

/** Validates the input before anything is read, so a malformed call learns nothing. */
function cancelInput(input: unknown): { orderId: string } {
  const r = validateCommand(CancelOrderInput, input);
  if (!r.ok) throw badUserInput('invalid input', r.issues.map((i) => ({ path: ['input', ...i.path], message: i.message })));
  return r.value;
}

const isStaff = (p: AppContext['principal']) => hasRole(p, 'operator') || hasRole(p, 'staff');

/**
 * A customer may act only on their own order. Someone else's order and a missing one give the same
 * NOT_FOUND (no existence oracle); a store that does not answer is UNAVAILABLE, never NOT_FOUND.
 */
async function requireOwnOrder(ctx: AppContext, orderId: string): Promise<void> {
  let owner: string | undefined;
  try {
    owner = await orderCommands(ctx.services.commands, ctx.services.paymentVault).orderOwner(orderId);
  } catch (err) {
    throw toGraphQLError(err);
  }
  if (owner === undefined || ctx.principal.customerId === undefined || owner !== ctx.principal.customerId) throw notFound('order', orderId);
}

// The id inside the stream the command wrote: a SKU for product and inventory streams, an order id for orders.
const idOf = (r: CommandResult) => parseStreamId(r.streamId)?.id ?? r.streamId;

/** Mutation resolvers: validate → authorise → command handler; errors are typed, bad input writes nothing. */
export const mutationResolvers = {
  Mutation: {
    defineProduct: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run('defineProduct', ctx, () => catalogueCommands(ctx.services.commands).defineProduct(a.input, commandContext(ctx, 'defineProduct', a.idempotencyKey)), idOf);
    },
    changePrice: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run('changePrice', ctx, () => catalogueCommands(ctx.services.commands).changePrice(a.input, commandContext(ctx, 'changePrice', a.idempotencyKey)), idOf);
    },
    restock: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run('restock', ctx, () => inventoryCommands(ctx.services.commands).restock(a.input, commandContext(ctx, 'restock', a.idempotencyKey)), idOf);
    },
    adjustStock: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run('adjustStock', ctx, () => inventoryCommands(ctx.services.commands).adjustStock(a.input, commandContext(ctx, 'adjustStock', a.idempotencyKey)), idOf);
    },
    placeOrder: (_: unknown, a: Args, ctx: AppContext) => {
      requireCustomerAccess(ctx.principal, String(a.input.customerId ?? ''));
      return run('placeOrder', ctx, () => orderCommands(ctx.services.commands, ctx.services.paymentVault).placeOrder(a.input, commandContext(ctx, 'placeOrder', a.idempotencyKey)), idOf);
    },
    cancelOrder: async (_: unknown, a: Args, ctx: AppContext) => {
      // Authorise and validate before any read, so an anonymous or malformed call learns nothing.
      requireAuthenticated(ctx.principal);
      const command = commandContext(ctx, 'cancelOrder', a.idempotencyKey);
      const { orderId } = cancelInput(a.input);
      if (!isStaff(ctx.principal)) await requireOwnOrder(ctx, orderId);
      return run('cancelOrder', ctx, () => orderCommands(ctx.services.commands, ctx.services.paymentVault).cancelOrder(a.input, command), idOf);
    },
    shipOrder: (_: unknown, a: Args, ctx: AppContext) => {
      requireStaff(ctx.principal);
      return run('shipOrder', ctx, () => orderCommands(ctx.services.commands, ctx.services.paymentVault).shipOrder(a.input, commandContext(ctx, 'shipOrder', a.idempotencyKey)), idOf);
    },
  },
};
