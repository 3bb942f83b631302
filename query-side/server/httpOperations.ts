import { GraphQLError, OperationTypeNode, type ValidationRule } from 'graphql';

/**
 * HTTP serves queries and mutations only. A subscription sent over HTTP would run `execute` on a
 * field that resolves to an async iterator and fail as an INTERNAL_SERVER_ERROR (the fuzz suite
 * found it); refused at validation instead, it is a typed 400 that says where subscriptions live.
 */
export const noSubscriptionOverHttpRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== OperationTypeNode.SUBSCRIPTION) return;
    context.reportError(new GraphQLError('subscriptions are served over WebSocket (graphql-ws, same path), not over HTTP', { nodes: [node] }));
  },
});
