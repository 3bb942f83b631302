import type { Projection } from '../../projector/index.ts';
import type { AppContext } from '../appContext.ts';
import type { ConsistencyToken } from '../consistency/token.ts';
import type { TokenRefusal } from '../consistency/codec.ts';
import { badUserInput } from '../errors.ts';

const REFUSAL: Record<TokenRefusal, string> = {
  malformed: 'not a consistency token of this server',
  'unknown-key': 'signed with a key this server does not hold',
  'bad-signature': 'signature does not match',
  'invalid-payload': 'names no stream or position',
};

/**
 * The verified token of argument `arg`.
 * @throws GraphQLError BAD_USER_INPUT (with `fieldErrors[0].path = [arg]`) for an unsigned, forged, tampered or foreign token.
 */
export function verifiedToken(ctx: AppContext, arg: string, token: string): ConsistencyToken {
  const check = ctx.services.tokens.verify(token);
  if (check.ok) return check.token;
  throw badUserInput(`${arg} is not a valid consistency token`, [{ path: [arg], message: REFUSAL[check.reason] }]);
}

/**
 * Waits (bounded) until the projections a field reads have applied `token`; no-op without a token.
 * The signature is checked first, so a forged token costs no store read and no wait. What it waited
 * for joins the request's read floor, so the request's point reads are never answered from a cached
 * document older than the token.
 * @throws GraphQLError BAD_USER_INPUT for a token that is not ours, STALE_READ_TIMEOUT when the views
 * lag, RATE_LIMITED when the caller already holds its maximum of concurrent waits.
 */
export async function awaitConsistency(ctx: AppContext, projections: readonly Projection[], token: string | null | undefined): Promise<void> {
  if (token === null || token === undefined) return;
  const decoded = verifiedToken(ctx, 'consistentWith', token);
  const floor = await ctx.services.tracker.waitFor(projections, decoded, ctx.services.consistencyTimeoutMs, ctx.clientKey);
  ctx.readFloor.push(...floor);
}
