import { createClient, type Client } from 'graphql-ws';
import type { GraphQLErrorPayload } from './errors.ts';
import type { SubscriptionTransport, TransportError, TransportSink } from './transport.ts';

/** Close codes after which reconnecting cannot help: bad request, unauthorised, forbidden (expired or refused token), bad subprotocol, duplicate id. */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409]);

/** Options of {@link graphqlWsTransport}. */
export interface GraphqlWsTransportOptions {
  url: string;
  /** Sent as `connectionParams.authorization` at each connect (read again on every reconnect). */
  authorization: () => string | undefined;
  /** A WebSocket class for runtimes without a global one (Node 20: the `ws` package). */
  webSocketImpl?: unknown;
}

function toTransportError(err: unknown): TransportError {
  if (Array.isArray(err)) return { kind: 'graphql', errors: err as GraphQLErrorPayload[] };
  const close = err as { code?: unknown; reason?: unknown } | null;
  const code = typeof close?.code === 'number' ? close.code : undefined;
  const reason = typeof close?.reason === 'string' ? close.reason : err instanceof Error ? err.message : undefined;
  return { kind: 'connection', ...(code !== undefined && { code }), ...(reason !== undefined && { reason }), fatal: code !== undefined && FATAL_CLOSE_CODES.has(code) };
}

/**
 * graphql-ws as a {@link SubscriptionTransport}: one lazy socket shared by all operations, no retry
 * of its own (the gapless subscription decides when and with which `since` to come back).
 */
export function graphqlWsTransport(options: GraphqlWsTransportOptions): SubscriptionTransport {
  const connectedSinks = new Set<TransportSink>();
  let connected = false;
  const client: Client = createClient({
    url: options.url,
    lazy: true,
    retryAttempts: 0,
    keepAlive: 10_000,
    ...(options.webSocketImpl !== undefined && { webSocketImpl: options.webSocketImpl }),
    connectionParams: () => {
      const authorization = options.authorization();
      return authorization ? { authorization } : {};
    },
    on: {
      connected: () => {
        connected = true;
        for (const sink of connectedSinks) sink.connected();
      },
      closed: () => {
        connected = false;
      },
    },
  });
  return {
    subscribe(request, sink) {
      connectedSinks.add(sink);
      if (connected) queueMicrotask(() => connectedSinks.has(sink) && sink.connected());
      const stop = client.subscribe<unknown>(request, {
        next: (result) => sink.next(result as { data?: unknown; errors?: GraphQLErrorPayload[] }),
        error: (err) => {
          connectedSinks.delete(sink);
          sink.error(toTransportError(err));
        },
        complete: () => {
          connectedSinks.delete(sink);
          sink.complete();
        },
      });
      return () => {
        connectedSinks.delete(sink);
        stop();
      };
    },
    dispose: () => client.dispose(),
  };
}
