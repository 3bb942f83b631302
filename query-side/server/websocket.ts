import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { subscribeShared, type ResultSink } from '../subscriptions/sharedExecution.ts';
import { createSharedFrames, type SharedFrames } from '../subscriptions/sharedFrames.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import { type AppConfig, childLogger, type Logger, counter, gauge } from '../../platform/index.ts';
import { anonymous, isAnonymous, type Principal } from '../auth/principal.ts';
import { tokenExpiresAt } from '../auth/authenticate.ts';
import { anonymousSubscriptionFields, refusedAnonymousFields } from './anonymousSubscriptions.ts';
import { watchSocketAuth } from './socketAuthWatch.ts';
import { createSocketLimits } from './socketLimits.ts';
import { createSocketSink } from './socketSink.ts';
import { createTickWrites } from './tickWrites.ts';
import { createDocumentCache } from './documentCache.ts';
import { appError, ErrorCode, isErrorCode, queryTooComplex, unauthenticated } from '../errors.ts';
import { fragmentsOf, limitRules, operationCost, parseOptions, tokenLimitError, type EdgeLimiters } from '../limits/index.ts';
import { authenticateWithin, enforceRateLimit, principalKey, type CreateContext } from './admission.ts';
import { clientAddress } from './clientAddress.ts';
import type { FormatError } from './formatError.ts';

/** Options of {@link createGraphQLWs}. */
export interface GraphQLWsOptions<TContext> {
  config: AppConfig;
  logger: Logger;
  schema: GraphQLSchema;
  limiters: EdgeLimiters;
  createContext: CreateContext<TContext>;
  formatError: FormatError;
  /** Ping interval; a client that does not pong within it is dropped. @default 12_000 */
  keepAliveMs?: number;
  /** Concurrent operations per socket. @default 100 */
  maxOperationsPerSocket?: number;
  /** The context one subscription event executes with, from the operation's (fresh per-event caches). @default the operation's own */
  eventContext?: (context: TContext) => TContext;
}

/** The graphql-ws endpoint: upgrade handling and shutdown. */
export interface GraphQLWs {
  readonly wss: WebSocketServer;
  /** Hands an HTTP upgrade on the GraphQL path to graphql-ws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket with 1001 (going away), waits for them up to `timeoutMs`, then terminates the rest. */
  close(timeoutMs: number): Promise<void>;
}

type SocketExtra = { principal: Principal; address: string };

const connections = gauge({ name: 'orderflow_ws_connections', help: 'Open graphql-ws sockets' });
const operations = counter({ name: 'orderflow_ws_operations_total', help: 'graphql-ws operations started, by type', labelNames: ['type'] });
const refusedSockets = counter({ name: 'orderflow_ws_refused_total', help: 'WebSockets refused or dropped by a limit, by reason', labelNames: ['reason'] });

/** Our own close codes (graphql-ws uses 44xx for protocol and auth). */
export const WsClose = {
  /** The subject holds its maximum of open sockets, or the address spent its failed-authentication budget. */
  TOO_MANY_SOCKETS: 4429,
  /** The socket's send buffer passed `ORDERFLOW_WS_MAX_BUFFERED_BYTES`. */
  SLOW_CONSUMER: 4408,
} as const;

type Send = (data: unknown, ...rest: unknown[]) => void;

/**
 * Lets `socket` write frames whose payload `frames` serialised once for every socket (see
 * `sharedFrames.ts`). graphql-ws's ws adapter calls `socket.send(text, cb)`; an expanded frame is
 * a Buffer, sent as a text frame as the protocol requires.
 */
function sendSharedFrames(socket: WebSocket, frames: SharedFrames): void {
  const original = socket.send.bind(socket) as Send;
  const send: Send = (data, ...rest) => {
    const frame = typeof data === 'string' ? frames.expand(data) : data;
    if (typeof frame === 'string' || frame === data) return original(frame, ...rest);
    const [first, second] = rest;
    if (typeof first === 'function' || first === undefined) return original(frame, { binary: false }, first);
    return original(frame, { ...(first as object), binary: false }, second);
  };
  (socket as unknown as { send: Send }).send = send;
}

function tagged(err: GraphQLError, code: string): GraphQLError {
  if (isErrorCode(err.extensions['code'])) return err;
  return new GraphQLError(err.message, {
    ...(err.nodes ? { nodes: err.nodes } : { ...(err.source && { source: err.source }), ...(err.positions && { positions: err.positions }) }),
    extensions: { ...err.extensions, code },
  });
}

/**
 * graphql-ws on a `noServer` WebSocketServer. The principal is authenticated once from
 * `connectionParams.authorization` (an invalid token closes with 4403); each operation is
 * rate-limited, parsed, validated with the same depth/alias/cost rules as HTTP (cost with the
 * real variables), and gets its own context from `createContext`. Errors go through the same
 * `formatError` as HTTP.
 */
export function createGraphQLWs<TContext>(options: GraphQLWsOptions<TContext>): GraphQLWs {
  const { config, logger, schema, limiters, createContext, formatError, eventContext } = options;
  const maxOps = options.maxOperationsPerSocket ?? config.websocket.maxSubscriptionsPerSocket;
  const socketLimits = createSocketLimits({ perIp: config.websocket.maxSocketsPerIp, perSubject: config.websocket.maxSocketsPerSubject });
  const publicSubscriptions = anonymousSubscriptionFields(schema);
  const rules: ValidationRule[] = [...specifiedRules, ...limitRules(config.limits), ...(config.env === 'production' ? [NoSchemaIntrospectionCustomRule] : [])];
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const documents = createDocumentCache(schema, rules);

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.http.maxBodyBytes });
  const frames = createSharedFrames();
  // Each operation's direct writer, by the ExecutionArgs object graphql-ws hands back to `subscribe`.
  const sinks = new WeakMap<ExecutionArgs, ResultSink>();
  // The TCP socket under each WebSocket (what `handleUpgrade` got), for the per-tick write batching.
  const streams = new WeakMap<WebSocket, Duplex>();
  const tickWrites = createTickWrites();
  const slowConsumer = (socket: WebSocket) => {
    refusedSockets.inc({ reason: 'slow_consumer' });
    // Once closing, every further send is dropped (readyState is no longer OPEN).
    socket.close(WsClose.SLOW_CONSUMER, 'slow consumer: send buffer over its limit');
  };
  wss.on('connection', (socket) => {
    sendSharedFrames(socket, frames);
    connections.inc();
    socket.once('close', () => connections.dec());
  });

  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema,
      // Hub subscriptions push through their socket's sink (one pass over the sockets per change);
      // any other source goes through graphql-ws's iterator and onNext below.
      subscribe: (args) => subscribeShared(args, eventContext && ((c) => eventContext(c as TContext)), sinks.get(args)),
      isProd: config.env === 'production',
      connectionInitWaitTimeout: 5_000,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.['authorization'];
        const header = typeof raw === 'string' ? raw : undefined;
        ctx.extra.address = clientAddress(ctx.extra.request, config.rateLimit.trustedProxyHops);
        try {
          ctx.extra.principal = await authenticateWithin(limiters.authFailures, header, config, ctx.extra.address, 'ws');
        } catch (err) {
          if (!(err instanceof GraphQLError)) throw err;
          if (err.extensions['code'] !== ErrorCode.RATE_LIMITED) return false; // 4403 Forbidden
          refusedSockets.inc({ reason: 'auth-failures' });
          ctx.extra.socket.close(WsClose.TOO_MANY_SOCKETS, 'too many failed authentications from this address');
          return false;
        }
        const { principal } = ctx.extra;
        const { socket } = ctx.extra;
        if (!isAnonymous(principal)) {
          if (!socketLimits.admitSubject(principal.subject)) {
            refusedSockets.inc({ reason: 'subject' });
            socket.close(WsClose.TOO_MANY_SOCKETS, 'too many sockets for this subject');
            return false;
          }
          socket.once('close', () => socketLimits.releaseSubject(principal.subject));
        }
        const stopWatching = watchSocketAuth({ socket, header, expiresAt: tokenExpiresAt(header), config, recheckMs: config.websocket.authRecheckMs });
        socket.once('close', stopWatching);
        return true;
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const principal = ctx.extra.principal ?? anonymous();
        if (Object.keys(ctx.subscriptions).length > maxOps) {
          return [appError(ErrorCode.RATE_LIMITED, `more than ${maxOps} concurrent operations on one socket`, { limit: maxOps })];
        }
        try {
          await enforceRateLimit(limiters.requests, principalKey(principal, ctx.extra.address ?? clientAddress(ctx.extra.request, config.rateLimit.trustedProxyHops)), 'ws');
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        let document: DocumentNode;
        try {
          document = documents.parsed(payload.query, (text) => parse(text, parseOptions(config.limits.maxTokens)));
        } catch (err) {
          const tooLong = tokenLimitError(err);
          if (tooLong) return [tooLong];
          return [tagged(err instanceof GraphQLError ? err : new GraphQLError(String(err)), ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
        }
        if (isAnonymous(principal)) {
          const refused = refusedAnonymousFields(document, payload.operationName, publicSubscriptions);
          if (refused.length > 0) return [unauthenticated(`subscribing to ${refused.join(', ')} requires credentials`)];
        }
        const invalid = documents.invalid(payload.query, document);
        if (invalid.length > 0) return invalid.map((e) => tagged(e, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [appError(ErrorCode.BAD_USER_INPUT, 'could not identify the operation to run (operationName?)')];
        const cost = operationCost(schema, operation, fragmentsOf(document), { variables: payload.variables ?? undefined });
        if (cost > config.limits.maxQueryCost) {
          return [queryTooComplex(`query cost ${cost} exceeds the maximum of ${config.limits.maxQueryCost}`, { limit: config.limits.maxQueryCost, actual: cost, measure: 'cost' })];
        }
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
        if (coerced.errors) return coerced.errors.map((e) => tagged(e, ErrorCode.BAD_USER_INPUT));
        const correlationId = randomUUID();
        const opLogger = childLogger(logger, { correlationId, subject: principal.subject });
        try {
          const contextValue = await createContext(principal, ctx.extra.request, { correlationId, logger: opLogger, transport: 'ws' });
          operations.inc({ type: operation.operation });
          const args: ExecutionArgs = {
            schema,
            document,
            ...(payload.operationName != null && { operationName: payload.operationName }),
            variableValues: payload.variables ?? {},
            contextValue,
          };
          const { socket } = ctx.extra;
          const stream = streams.get(socket);
          sinks.set(args, createSocketSink({
            socket, id, maxBufferedBytes: config.websocket.maxBufferedBytes, formatErrors: format,
            onSlowConsumer: () => slowConsumer(socket),
            onFailure: (err) => opLogger.warn({ err }, 'subscription event failed'),
            ...(stream && { beforeWrite: () => tickWrites(stream) }),
          }));
          return args;
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError('context creation failed', { originalError: err instanceof Error ? err : new Error(String(err)) })];
        }
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (ctx, _id, _payload, _args, result) => {
        // A consumer that does not read lets unsent frames pile up in our memory: drop it instead.
        if (ctx.extra.socket.bufferedAmount > config.websocket.maxBufferedBytes) {
          slowConsumer(ctx.extra.socket);
          return undefined;
        }
        // Errors are formatted per principal; a plain result is the object every socket on the key shares.
        // (The stand-in only has to stringify as its placeholder: graphql-ws does nothing else with it.)
        return result.errors ? { ...result, errors: format(result.errors) } : (frames.mark(result) as typeof result);
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    wss,
    handleUpgrade(req, socket, head) {
      // Counted before any WebSocket work, so a flood from one address costs a 429 line each.
      const ip = clientAddress(req, config.rateLimit.trustedProxyHops);
      if (!socketLimits.admitIp(ip)) {
        refusedSockets.inc({ reason: 'ip' });
        socket.on('error', () => socket.destroy());
        socket.end('HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      let released = false;
      const release = () => {
        if (!released) socketLimits.releaseIp(ip);
        released = true;
      };
      socket.once('close', release);
      wss.handleUpgrade(req, socket, head, (ws) => {
        streams.set(ws, socket);
        ws.once('close', release);
        wss.emit('connection', ws, req);
      });
    },
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      // dispose() closes each client with 1001 and resolves once all of them have closed.
      const outcome = await Promise.race([server.dispose(), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn({ sockets: wss.clients.size }, 'websocket clients did not close in time; terminating');
        for (const client of wss.clients) client.terminate();
      }
    },
  };
}
