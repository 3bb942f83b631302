import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AppConfig, childLogger, type Logger, counter, lazyLogger } from '../../platform/index.ts';
import { authenticate } from '../auth/authenticate.ts';
import { isAnonymous, type Principal } from '../auth/principal.ts';
import { ErrorCode, rateLimited } from '../errors.ts';
import type { EdgeLimiters, RateLimiter } from '../limits/index.ts';
import { clientAddress } from './clientAddress.ts';

/** Which door an operation came through. */
export type Transport = 'http' | 'ws';

/** What `createContext` gets besides the principal and the request. */
export interface ContextMeta {
  correlationId: string;
  /** Bound to correlationId and traceId. */
  logger: Logger;
  transport: Transport;
}

/** Builds the resolvers' context for one operation. Throwing a GraphQLError rejects the operation with it. */
export type CreateContext<TContext> = (principal: Principal, req: IncomingMessage, meta: ContextMeta) => Promise<TContext> | TContext;

const rateLimitedTotal = counter({ name: 'orderflow_rate_limited_total', help: 'Operations refused by a rate limit (budget: requests per principal, or failed authentications per address)', labelNames: ['transport', 'budget'] });
const authFailuresTotal = counter({ name: 'orderflow_auth_failures_total', help: 'Refused bearer tokens (each spends the address\'s failed-authentication budget)', labelNames: ['transport'] });

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's correlation id when it is sane, else a new one. */
export function correlationIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && CORRELATION_ID.test(value) ? value : randomUUID();
}

/** Whose budget an operation spends: `sub:<subject>`, or `ip:<client address>` when anonymous. */
export function principalKey(principal: Principal, address: string): string {
  return isAnonymous(principal) ? `ip:${address}` : `sub:${principal.subject}`;
}

/**
 * Spends one unit of `key`'s budget.
 * @throws GraphQLError RATE_LIMITED (http 429 with Retry-After, `retryAfterSeconds` in the extensions) when the budget is spent.
 */
export async function enforceRateLimit(limiter: RateLimiter, key: string, transport: Transport, budget: Budget = 'requests'): Promise<void> {
  const decision = await limiter.take(key);
  if (!decision.ok) throw refused(decision.retryAfterSeconds, transport, budget);
}

/** The budgets an operation is admitted against. */
export type Budget = 'requests' | 'auth-failures';

function refused(retryAfterSeconds: number, transport: Transport, budget: Budget) {
  rateLimitedTotal.inc({ transport, budget });
  return rateLimited(retryAfterSeconds, { httpStatus: 429, httpHeaders: { 'retry-after': String(retryAfterSeconds) } });
}

/**
 * Authenticates `header` under the failed-authentication budget of the client `address`: an
 * address that spent it is refused before its token is even verified, and each refused token
 * spends one unit, so guessing tokens or credentials is bounded per address and minute across
 * every replica. The anonymous caller (no header) spends nothing here.
 * @throws GraphQLError UNAUTHENTICATED (401) for a refused token; RATE_LIMITED (429) once the budget is spent.
 */
export async function authenticateWithin(authFailures: RateLimiter, header: string | undefined, config: AppConfig, address: string, transport: Transport): Promise<Principal> {
  if (header === undefined || header.trim() === '') return authenticate(header, config);
  const key = `ip:${address}`;
  const budget = await authFailures.check(key);
  if (!budget.ok) throw refused(budget.retryAfterSeconds, transport, 'auth-failures');
  try {
    return await authenticate(header, config);
  } catch (err) {
    if (!(err instanceof GraphQLError) || err.extensions['code'] !== ErrorCode.UNAUTHENTICATED) throw err;
    authFailuresTotal.inc({ transport });
    const spent = await authFailures.take(key);
    if (!spent.ok) throw refused(spent.retryAfterSeconds, transport, 'auth-failures');
    throw err;
  }
}

/**
 * Authenticates an HTTP request, applies the rate limits and builds the context.
 * @throws GraphQLError UNAUTHENTICATED (401) or RATE_LIMITED (429); whatever `createContext` throws.
 */
export async function admitHttp<TContext>(
  deps: { config: AppConfig; limiters: EdgeLimiters; createContext: CreateContext<TContext> },
  req: IncomingMessage,
  meta: { correlationId: string; logger: Logger },
): Promise<TContext> {
  const address = clientAddress(req, deps.config.rateLimit.trustedProxyHops);
  const principal = await authenticateWithin(deps.limiters.authFailures, req.headers.authorization, deps.config, address, 'http');
  await enforceRateLimit(deps.limiters.requests, principalKey(principal, address), 'http');
  // Bound on first use: most operations log nothing, and a pino child serialises (and redacts) its
  // bindings when it is made (3% of serve's CPU under the reads bench). The active trace context is
  // the request's wherever it is first used, so its lines carry the same trace id.
  const logger = lazyLogger(() => childLogger(meta.logger, { correlationId: meta.correlationId, subject: principal.subject }));
  return deps.createContext(principal, req, { correlationId: meta.correlationId, logger, transport: 'http' });
}
