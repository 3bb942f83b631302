// Public edge of the query side: the GraphQL API as the serve role (ops/) starts it.
export { createAppServices } from './services.ts';
export { buildSchema } from './schema.ts';
export { resolvers } from './resolvers/index.ts';
export { requestContextFactory, subscriptionEventContext } from './requestContext.ts';
export { createGraphQLServer } from './server/index.ts';
