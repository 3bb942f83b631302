import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AppConfig, childLogger, type Logger, counter } from '../../platform/index.ts';
import { authenticate } from '../auth/authenticate.ts';
import { isAnonymous, type Principal } from '../auth/principal.ts';
import { rateLimited } from '../errors.ts';
import type { RateLimiter } from '../limits/rateLimit.ts';

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

const rateLimitedTotal = counter({ name: 'orderflow_rate_limited_total', help: 'Operations refused by the per-principal rate limit', labelNames: ['transport'] });

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

/** The rate-limit bucket of a principal: its subject, or the client address when anonymous. */
export function rateKey(principal: Principal, req: IncomingMessage): string {
  return principalKey(principal, req.socket.remoteAddress ?? 'unknown');
}

/**
 * Spends one unit of the principal's budget.
 * @throws GraphQLError RATE_LIMITED (http 429 with Retry-After) when the budget is spent.
 */
export function enforceRateLimit(limiter: RateLimiter, principal: Principal, req: IncomingMessage, transport: Transport): void {
  const decision = limiter.take(rateKey(principal, req));
  if (decision.ok) return;
  rateLimitedTotal.inc({ transport });
  throw rateLimited(decision.retryAfterSeconds, { httpStatus: 429, httpHeaders: { 'retry-after': String(decision.retryAfterSeconds) } });
}

/**
 * Authenticates an HTTP request, applies the rate limit and builds the context.
 * @throws GraphQLError UNAUTHENTICATED (401) or RATE_LIMITED (429); whatever `createContext` throws.
 */
export async function admitHttp<TContext>(
  deps: { config: AppConfig; limiter: RateLimiter; createContext: CreateContext<TContext> },
  req: IncomingMessage,
  meta: { correlationId: string; logger: Logger },
): Promise<TContext> {
  const principal = await authenticate(req.headers.authorization, deps.config);
  enforceRateLimit(deps.limiter, principal, req, 'http');
  const logger = childLogger(meta.logger, { correlationId: meta.correlationId, subject: principal.subject });
  return deps.createContext(principal, req, { correlationId: meta.correlationId, logger, transport: 'http' });
}
