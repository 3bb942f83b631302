import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The SDL directive that marks a subscription field open to anonymous sockets. */
export const ANONYMOUS_DIRECTIVE = 'anonymous';

/** Subscription fields whose SDL carries `@anonymous`. */
export function anonymousSubscriptionFields(schema: GraphQLSchema): ReadonlySet<string> {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  return new Set(Object.values(fields).filter((f) => f.astNode?.directives?.some((d) => d.name.value === ANONYMOUS_DIRECTIVE)).map((f) => f.name));
}

/**
 * The root fields of a subscription operation that an anonymous socket may not open (empty for
 * queries and mutations, whose resolvers authorise themselves, and for `@anonymous` fields).
 * Fragments at the root are counted as not allowed: a public subscription needs none.
 */
export function refusedAnonymousFields(document: DocumentNode, operationName: string | null | undefined, allowed: ReadonlySet<string>): string[] {
  const op = getOperationAST(document, operationName);
  if (!op || op.operation !== 'subscription') return [];
  return op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? (allowed.has(s.name.value) ? [] : [s.name.value]) : ['(fragment)']));
}
