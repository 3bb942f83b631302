import type { Projection } from '../../projector/index.ts';
import type { AppContext } from '../appContext.ts';
import { decodeToken } from '../consistency/token.ts';
import { badUserInput } from '../errors.ts';

/**
 * Waits (bounded) until the projections a field reads have applied `token`; no-op without a token.
 * What it waited for joins the request's read floor, so the request's point reads are never answered
 * from a cached document older than the token.
 * @throws GraphQLError BAD_USER_INPUT for a token that is not ours, STALE_READ_TIMEOUT when the views lag.
 */
export async function awaitConsistency(ctx: AppContext, projections: readonly Projection[], token: string | null | undefined): Promise<void> {
  if (token === null || token === undefined) return;
  const decoded = decodeToken(token);
  if (!decoded) throw badUserInput('consistentWith is not a valid consistency token', [{ path: ['consistentWith'], message: 'unknown token format' }]);
  const floor = await ctx.services.tracker.waitFor(projections, decoded, ctx.services.consistencyTimeoutMs);
  ctx.readFloor.push(...floor);
}
