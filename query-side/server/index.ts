export { createGraphQLServer, GRAPHQL_PATH, type GraphQLServer, type GraphQLServerOptions } from './httpServer.ts';
export type { ContextMeta, CreateContext, Transport } from './admission.ts';
export { createFormatError, type FormatError } from './formatError.ts';
