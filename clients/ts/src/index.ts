/**
 * @orderflow/client: a typed GraphQL client for orderflow with read-your-writes by default,
 * retries only where the server says they are safe, and gapless live subscriptions.
 */
export { createOrderflowClient, type OrderflowClient, type OrderflowClientOptions, type QueryOptions, type MutateOptions, type TypedDocument } from './client.ts';
export { OrderflowError, StaleReadError, type GraphQLErrorPayload } from './errors.ts';
export { REPLAY_ALL_TOKEN, type GaplessOptions, type LiveState, type LiveSubscription } from './gapless.ts';
export { graphqlWsTransport, type GraphqlWsTransportOptions } from './graphqlWsTransport.ts';
export { defaultRetryPolicy, type RetryPolicy, type Scheduler } from './retry.ts';
export { ConsistencySession } from './session.ts';
export type { FetchLike, HttpResponseLike, SubscriptionTransport, TransportError, TransportSink } from './transport.ts';
export * from './generated/graphql.ts';
