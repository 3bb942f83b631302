import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { OrderflowError } from './errors.ts';
import { gaplessSubscription, type GaplessOptions, type LiveSubscription } from './gapless.ts';
import { graphqlWsTransport } from './graphqlWsTransport.ts';
import { postGraphQL } from './http.ts';
import { defaultRetryPolicy, realScheduler, withRetry, type RetryPolicy, type Scheduler } from './retry.ts';
import { ConsistencySession, tokensIn } from './session.ts';
import type { FetchLike, SubscriptionTransport } from './transport.ts';

/** A typed operation (generated in `generated/graphql.ts`); its text is `String(document)`. */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/** Options of {@link createOrderflowClient}. */
export interface OrderflowClientOptions {
  /** The GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** The graphql-ws endpoint. @default `url` with http(s) → ws(s) */
  wsUrl?: string;
  /** Bearer token (without "Bearer "), or a function read at every request and reconnect. */
  token?: string | (() => string | undefined);
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** @default graphql-ws on `wsUrl` */
  subscriptions?: SubscriptionTransport;
  /** A WebSocket class where there is no global one (Node 20: `ws`). */
  webSocketImpl?: unknown;
  /** @default {@link defaultRetryPolicy} */
  retry?: Partial<RetryPolicy>;
  /** @default real timers and Math.random */
  scheduler?: Scheduler;
  /** The session whose writes reads wait for. @default a new one */
  session?: ConsistencySession;
  /** @default crypto.randomUUID */
  newIdempotencyKey?: () => string;
}

/** Per-call options of {@link OrderflowClient.query}. */
export interface QueryOptions {
  /**
   * Read-your-writes: `'session'` (default) sends the session's newest token as `consistentWith`;
   * `false` reads whatever the views hold now; a token string widens the wait to that write as well
   * (e.g. one made in another tab): the newer of it and the session's token is sent.
   */
  consistentWith?: 'session' | false | string;
  /** `false`: one attempt only. */
  retry?: Partial<RetryPolicy> | false;
  signal?: AbortSignal;
}

/** Per-call options of {@link OrderflowClient.mutate}. */
export interface MutateOptions {
  /** The key of this logical call; generated once when the operation declares `$idempotencyKey` and none is given. */
  idempotencyKey?: string;
  /** `false`: one attempt only. */
  retry?: Partial<RetryPolicy> | false;
  signal?: AbortSignal;
}

/** The orderflow client: typed operations with read-your-writes, safe retries and gapless subscriptions. */
export interface OrderflowClient {
  readonly session: ConsistencySession;
  query<R, V extends Record<string, unknown>>(document: TypedDocument<R, V>, variables: V, options?: QueryOptions): Promise<R>;
  mutate<R, V extends Record<string, unknown>>(document: TypedDocument<R, V>, variables: V, options?: MutateOptions): Promise<R>;
  subscribe<R, V extends Record<string, unknown>>(document: TypedDocument<R, V>, variables: V, options: GaplessOptions<R>): LiveSubscription;
  dispose(): Promise<void>;
}

const declares = (query: string, variable: string) => new RegExp(`\\$${variable}\\s*:`).test(query);

function randomKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Creates a client. Queries that declare `$consistentWith` wait for the session's own writes;
 * mutations' `consistencyToken`s feed the session. Errors the server marks `retriable` are retried
 * with backoff and jitter; a mutation only when it carries an idempotency key (the same key on every
 * attempt, so the server applies it once). Works in browsers and in Node 20 (pass `webSocketImpl`).
 */
export function createOrderflowClient(options: OrderflowClientOptions): OrderflowClient {
  const session = options.session ?? new ConsistencySession();
  const scheduler = options.scheduler ?? realScheduler;
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const newKey = options.newIdempotencyKey ?? randomKey;
  const authorization = () => {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    return token ? `Bearer ${token}` : undefined;
  };
  let transport = options.subscriptions;
  const subscriptions = () =>
    (transport ??= graphqlWsTransport({
      url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      authorization,
      ...(options.webSocketImpl !== undefined && { webSocketImpl: options.webSocketImpl }),
    }));
  const policy = (override: Partial<RetryPolicy> | false | undefined): RetryPolicy =>
    override === false ? { ...defaultRetryPolicy, attempts: 1 } : { ...defaultRetryPolicy, ...options.retry, ...override };
  const isRetriable = (err: unknown) => err instanceof OrderflowError && err.retriable;

  function consistencyFor(choice: QueryOptions['consistentWith']): string | undefined {
    if (choice === false) return undefined;
    if (choice === undefined || choice === 'session') return session.token;
    const widened = new ConsistencySession();
    widened.observe(choice);
    if (session.token) widened.observe(session.token);
    return widened.token;
  }

  return {
    session,
    async query(document, variables, opts = {}) {
      const query = String(document);
      const token = 'consistentWith' in variables || !declares(query, 'consistentWith') ? undefined : consistencyFor(opts.consistentWith);
      const vars = token === undefined ? variables : { ...variables, consistentWith: token };
      const sent = (vars as Record<string, unknown>)['consistentWith'];
      return withRetry(
        async () => (await postGraphQL(fetchFn, options.url, { query, variables: vars }, { authorization: authorization(), consistentWith: typeof sent === 'string' ? sent : undefined, ...(opts.signal && { signal: opts.signal }) })) as never,
        isRetriable,
        policy(opts.retry),
        scheduler,
      );
    },
    async mutate(document, variables, opts = {}) {
      const query = String(document);
      const keyed = declares(query, 'idempotencyKey');
      // One key per logical call, chosen before the first attempt: every retry carries the same key.
      const vars = keyed && variables['idempotencyKey'] == null ? { ...variables, idempotencyKey: opts.idempotencyKey ?? newKey() } : variables;
      const attempt = () => postGraphQL(fetchFn, options.url, { query, variables: vars }, { authorization: authorization(), consistentWith: undefined, ...(opts.signal && { signal: opts.signal }) });
      // Without a key a retry could apply the mutation twice: one attempt only.
      const data = await withRetry(attempt, isRetriable, keyed ? policy(opts.retry) : policy(false), scheduler);
      for (const token of tokensIn(data)) session.observe(token);
      return data as never;
    },
    subscribe(document, variables, opts) {
      return gaplessSubscription(subscriptions(), { query: String(document), variables }, opts, { policy: { ...defaultRetryPolicy, ...options.retry }, scheduler });
    },
    async dispose() {
      await transport?.dispose();
    },
  };
}
