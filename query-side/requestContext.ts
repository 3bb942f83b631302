import type { IncomingMessage } from 'node:http';
import type { AppContext, AppServices } from './appContext.ts';
import type { RequestContext } from './context.ts';
import type { Principal } from './auth/principal.ts';
import { principalKey, type ContextMeta } from './server/admission.ts';
import { clientAddress } from './server/clientAddress.ts';
import { createLoaders } from './views/loaders.ts';

/** Builds each operation's context: principal, correlation, logger, services and fresh DataLoaders. */
export function requestContextFactory(services: AppServices) {
  return (principal: Principal, req: IncomingMessage, meta: ContextMeta): AppContext => {
    const readFloor: AppContext['readFloor'] = [];
    return {
      principal, correlationId: meta.correlationId, logger: meta.logger, services,
      loaders: createLoaders(services.views, readFloor), readFloor,
      clientKey: principalKey(principal, clientAddress(req, services.trustedProxyHops)),
    };
  };
}

/**
 * The context of one subscription event: the operation's, with fresh DataLoaders, so a long-lived
 * subscription neither keeps every document it loaded nor serves a later event from an old copy.
 */
export function subscriptionEventContext(ctx: AppContext): AppContext {
  return { ...ctx, loaders: createLoaders(ctx.services.views, ctx.readFloor) };
}

/** The base context without area services (the edge's own tests and health checks). */
export function createRequestContext(principal: Principal, _req: IncomingMessage, meta: ContextMeta): RequestContext {
  return { principal, correlationId: meta.correlationId, logger: meta.logger };
}
