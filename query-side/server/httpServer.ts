import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { context as otelContext, SpanKind } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { type AppConfig, type Logger, collectProcessMetrics, contextFromTraceparent, counter, gauge, heapAfterGc, histogram, isLoopbackHost, metrics, withSpan } from '../../platform/index.ts';
import { ErrorCode } from '../errors.ts';
import { createEdgeLimiters, limitRules, parseOptions } from '../limits/index.ts';
import { admitHttp, correlationIdOf, type CreateContext } from './admission.ts';
import { noSubscriptionOverHttpRule } from './httpOperations.ts';
import { costPlugin } from './costPlugin.ts';
import { createFormatError } from './formatError.ts';
import { landingPagePlugin } from './graphiql.ts';
import { isJsonContentType, readBody } from './readBody.ts';
import { firstHeader, sendGraphQLError, sendJson, withTimeout, writeApolloResponse } from './respond.ts';
import { createWebPages, WEB_ROUTES } from './webPages.ts';
import { createGraphQLWs } from './websocket.ts';

/** The one path of GraphQL over HTTP and over WebSocket. */
export const GRAPHQL_PATH = '/graphql';

/** Options of {@link createGraphQLServer}. */
export interface GraphQLServerOptions<TContext extends BaseContext> {
  config: AppConfig;
  logger: Logger;
  schema: GraphQLSchema;
  /** Builds the resolvers' context of one operation, HTTP or WebSocket. */
  createContext: CreateContext<TContext>;
  /** The context each subscription event executes with, derived from its operation's. @default the operation's own */
  eventContext?: (context: TContext) => TContext;
  /** Named dependency checks for `/readyz`; all true means ready. */
  readiness: () => Promise<Record<string, boolean>>;
  /** Upper bound of `stop()`. @default 10_000 */
  stopTimeoutMs?: number;
  /** Upper bound of one `/readyz` evaluation. @default 3_000 */
  readinessTimeoutMs?: number;
  /** WebSocket ping interval. @default 12_000 */
  keepAliveMs?: number;
}

/** A running (or startable) GraphQL edge. */
export interface GraphQLServer {
  /** Listens on `config.http.host:port` (port 0 picks one) and resolves with the real GraphQL URL. */
  start(): Promise<{ url: string }>;
  /** Stops accepting, closes sockets with 1001, drains in-flight requests; bounded by `stopTimeoutMs`. Idempotent. */
  stop(): Promise<void>;
  readonly httpServer: http.Server;
}

const KNOWN_ROUTES = new Set([GRAPHQL_PATH, '/healthz', '/readyz', '/metrics', ...WEB_ROUTES]);
const KNOWN_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

const httpRequests = counter({ name: 'orderflow_http_requests_total', help: 'HTTP requests served, by route, method and status', labelNames: ['route', 'method', 'status'] });
/** Requests received (headers read) and not yet answered or aborted: what a graceful stop drains. */
const httpInFlight = gauge({ name: 'orderflow_http_requests_in_flight', help: 'HTTP requests received and not yet answered, by route', labelNames: ['route'] });
const httpDuration = histogram({
  name: 'orderflow_http_request_duration_seconds',
  help: 'HTTP request duration, by route and method',
  labelNames: ['route', 'method'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Apollo's logger interface over pino. */
function apolloLogger(logger: Logger) {
  const l = logger.child({ component: 'apollo' });
  return {
    debug: (m: unknown) => l.debug(String(m)),
    info: (m: unknown) => l.info(String(m)),
    warn: (m: unknown) => l.warn(String(m)),
    error: (m: unknown) => l.error(String(m)),
  };
}

/**
 * The HTTP/WebSocket edge: one Node `http` server serving `POST|GET /graphql` through Apollo
 * Server (CSRF prevention, introspection and GraphiQL outside production, token, depth, alias,
 * directive and cost limits, per-principal rate limit, body limit → 413), graphql-ws on the same path,
 * `/healthz`, `/readyz` and `/metrics`.
 */
export function createGraphQLServer<TContext extends BaseContext>(options: GraphQLServerOptions<TContext>): GraphQLServer {
  const { config, logger, schema, createContext, readiness } = options;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 3_000;
  const limiters = createEdgeLimiters(config, logger);
  const formatError = createFormatError(logger);

  const httpServer = http.createServer();
  httpServer.requestTimeout = 30_000;
  httpServer.headersTimeout = 15_000;
  httpServer.keepAliveTimeout = 5_000;

  const apollo = new ApolloServer<TContext>({
    schema,
    nodeEnv: config.env,
    logger: apolloLogger(logger),
    csrfPrevention: true,
    introspection: config.env !== 'production',
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    includeStacktraceInErrorResponses: false,
    persistedQueries: false,
    stopOnTerminationSignals: false,
    parseOptions: parseOptions(config.limits.maxTokens),
    validationRules: [...limitRules(config.limits), noSubscriptionOverHttpRule],
    formatError,
    plugins: [
      // Apollo's implicit cache-control plugin hooks every field resolution (the reads profile's
      // schemaInstrumentation frames) only to end with `cache-control: no-store`, as no type has a
      // cache hint; handleGraphQL sets that header itself. (Usage reporting and inline traces are
      // not installed: no APOLLO_KEY, not a subgraph.)
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: Math.floor(stopTimeoutMs * 0.8) }),
      landingPagePlugin(config, GRAPHQL_PATH),
      costPlugin(config.limits.maxQueryCost),
    ],
  });

  const pages = createWebPages(config, logger);
  const ws = createGraphQLWs({ config, logger, schema, limiters, createContext, formatError, ...(options.keepAliveMs !== undefined && { keepAliveMs: options.keepAliveMs }), ...(options.eventContext && { eventContext: options.eventContext }) });

  let started = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const correlationId = correlationIdOf(req.headers['x-correlation-id']);
    res.setHeader('x-correlation-id', correlationId);
    // Answers are per principal: never stored by a cache (what Apollo's cache-control plugin sent).
    res.setHeader('cache-control', 'no-store');
    if (stopping) res.setHeader('connection', 'close');
    const active = otelContext.active();
    const parent = contextFromTraceparent(firstHeader(req.headers.traceparent), active);
    // Without a traceparent the parent is the active context: skip entering it again.
    const inParent = <T>(fn: () => Promise<T>) => (parent === active ? fn() : otelContext.with(parent, fn));
    await inParent(() =>
      withSpan(
        `${req.method ?? 'GET'} ${GRAPHQL_PATH}`,
        { 'http.request.method': req.method ?? 'GET', 'url.path': GRAPHQL_PATH, 'orderflow.correlation_id': correlationId },
        async (span) => {
          let body: unknown;
          if (req.method === 'POST') {
            const read = await readBody(req, config.http.maxBodyBytes);
            if (!read.ok) {
              // The rest of an oversized body is read and dropped (bounded, `discardRest`), not cut off
              // with `connection: close`: closing on unread data resets the client before it reads the 413.
              if (read.status === 413) sendJson(res, 413, { errors: [{ message: `request body exceeds ${config.http.maxBodyBytes} bytes`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }] });
              else res.destroy();
              return;
            }
            if (isJsonContentType(req.headers['content-type'])) {
              if (read.text.trim().length > 0) {
                try {
                  body = JSON.parse(read.text);
                } catch {
                  sendGraphQLError(res, 400, ApolloServerErrorCode.BAD_REQUEST, 'request body is not valid JSON');
                  return;
                }
              }
            } else {
              body = read.text; // Apollo refuses it (CSRF check or "invalid Content-Type")
            }
          }
          const headers = new HeaderMap();
          for (const [key, value] of Object.entries(req.headers)) {
            if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
          }
          const response = await apollo.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
            // admitHttp binds the request's logger once (correlation, subject, trace), when Apollo asks for the context.
            context: () => admitHttp({ config, limiters, createContext }, req, { correlationId, logger }),
          });
          span.setAttribute('http.response.status_code', response.status ?? 200);
          await writeApolloResponse(res, response);
        },
        { kind: SpanKind.SERVER },
      ),
    );
  }

  async function handleReady(res: ServerResponse): Promise<void> {
    if (stopping) return sendJson(res, 503, { status: 'stopping', checks: {} });
    try {
      const checks = await withTimeout(readiness(), readinessTimeoutMs, 'readiness checks');
      const ready = Object.values(checks).every((ok) => ok === true);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
    } catch (err) {
      logger.warn({ err }, 'readiness checks failed');
      sendJson(res, 503, { status: 'unavailable', checks: {}, error: 'readiness checks failed or timed out' });
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === GRAPHQL_PATH) return handleGraphQL(req, res, url);
    if (url.pathname === '/debug/heap' && config.ops.debugHeap && req.method === 'GET') return sendJson(res, 200, heapAfterGc());
    if (!KNOWN_ROUTES.has(url.pathname)) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    if (await pages.serve(url.pathname, res)) return;
    switch (url.pathname) {
      case '/healthz':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz':
        return handleReady(res);
      default: {
        const text = await metrics.metrics();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
      }
    }
  }

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const began = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const labels = { route: KNOWN_ROUTES.has(url.pathname) ? url.pathname : 'other', method: KNOWN_METHODS.has(req.method ?? '') ? (req.method ?? 'GET') : 'other' };
    httpInFlight.inc({ route: labels.route });
    res.once('close', () => httpInFlight.dec({ route: labels.route })); // after the answer, or when the client went away
    res.once('finish', () => {
      httpRequests.inc({ ...labels, status: String(res.statusCode) });
      httpDuration.observe(labels, Number(process.hrtime.bigint() - began) / 1e9);
    });
    res.setHeader('x-content-type-options', 'nosniff');
    route(req, res, url).catch((err: unknown) => {
      logger.error({ err, path: url.pathname }, 'unhandled error serving HTTP request');
      if (!res.headersSent) sendGraphQLError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'internal error');
      else res.destroy();
    });
  });

  httpServer.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (stopping || path !== GRAPHQL_PATH) {
      socket.on('error', () => socket.destroy());
      socket.end(`HTTP/1.1 ${stopping ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    ws.handleUpgrade(req, socket, head);
  });

  return {
    httpServer,
    async start() {
      if (started || stopping) throw new Error('the GraphQL server can only be started once');
      started = true;
      collectProcessMetrics();
      await limiters.connect();
      await apollo.start();
      try {
        await new Promise<void>((resolve, reject) => {
          httpServer.once('error', reject);
          httpServer.listen(config.http.port, config.http.host, () => {
            httpServer.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        await apollo.stop();
        await limiters.close();
        throw err;
      }
      const { port } = httpServer.address() as AddressInfo;
      const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? 'localhost' : config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      const url = `http://${host}:${port}${GRAPHQL_PATH}`;
      logger.info({ url, authMode: config.auth.mode }, 'GraphQL server listening');
      if (config.auth.mode === 'none') {
        logger.warn({ host: config.http.host }, 'every bearer token is refused: dev tokens are accepted only on loopback; set ORDERFLOW_JWT_SECRET or ORDERFLOW_JWKS_URL');
      } else if (config.auth.mode === 'dev' && !isLoopbackHost(config.http.host)) {
        logger.warn({ host: config.http.host }, 'ORDERFLOW_AUTH_MODE=dev on a reachable address: anyone on the network can claim any role');
      }
      return { url };
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const deadline = Date.now() + stopTimeoutMs;
        // Sockets first, so clients get a 1001 close frame rather than a dropped connection; HTTP
        // keeps serving meanwhile (with /readyz at 503 and `connection: close`) so a load balancer
        // can move traffic away.
        await ws.close(Math.min(5_000, Math.floor(stopTimeoutMs / 2)));
        if (!started) return limiters.close();
        try {
          // Apollo drains in-flight HTTP requests (drain plugin), then stops.
          await withTimeout(apollo.stop(), Math.max(100, deadline - Date.now()), 'GraphQL server stop');
        } catch (err) {
          logger.warn({ err }, 'graceful stop timed out; closing remaining connections');
          httpServer.closeAllConnections();
        }
        await limiters.close(); // after the drain: in-flight requests still spend their budget
        logger.info('GraphQL server stopped');
      })();
      return stopped;
    },
  };
}
