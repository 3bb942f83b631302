import { requestContextFactory, subscriptionEventContext, createAppServices, resolvers, buildSchema, createGraphQLServer } from '../../query-side/index.ts';
import { requireEdgeSecrets } from '../../platform/index.ts';
import { createDependencyProbe } from '../readiness.ts';
import type { Role } from './role.ts';

/** `orderflow serve`: the GraphQL HTTP + WebSocket edge with /healthz, /readyz and /metrics. */
export const serveRole: Role = {
  name: 'serve',
  description: 'GraphQL over HTTP and WebSocket, /healthz, /readyz, /metrics',
  async start({ config, logger }) {
    requireEdgeSecrets(config); // production: the consistency key and the shared Redis, before anything connects
    const log = logger.child({ role: 'serve' });
    const probe = createDependencyProbe(config, log);
    const app = await createAppServices(config, log);
    const server = createGraphQLServer({
      config,
      logger: log,
      schema: buildSchema(resolvers),
      createContext: requestContextFactory(app.services),
      eventContext: subscriptionEventContext,
      readiness: () => probe.check(),
      // The HTTP drain gets most of the shutdown deadline; the rest is for closing the services.
      stopTimeoutMs: Math.floor(config.shutdownTimeoutMs * 0.75),
    });
    let url: string;
    try {
      ({ url } = await server.start());
    } catch (err) {
      await app.stop();
      await probe.close();
      throw err;
    }
    return {
      url,
      async stop() {
        await server.stop();
        await app.stop();
        await probe.close();
      },
    };
  },
};
