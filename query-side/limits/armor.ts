import { maxAliasesRule as armorMaxAliases } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule as armorMaxDepth } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule as armorMaxDirectives } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLArmorCallbackConfiguration } from '@escape.tech/graphql-armor-types';
import { visitInParallel, type ASTVisitor, type GraphQLError, type OperationDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';
import { queryTooComplex } from '../errors.ts';

/** What a limit measures; it is `extensions.measure` of the `QUERY_TOO_COMPLEX` error. */
export type LimitMeasure = 'depth' | 'aliases' | 'directives';

/** The options every graphql-armor validation rule takes (its limit is `n`). */
type ArmorOptions = { n: number; exposeLimits: boolean } & GraphQLArmorCallbackConfiguration;

/**
 * The count armor found, read from its rejection message ("… limit of 4 exceeded, found 5.").
 * Armor passes only the message to `onReject`; the unit tests pin this format, and should it
 * ever change the limit + 1 is reported (a true lower bound: the operation was rejected).
 */
export function armorCount(error: GraphQLError, limit: number): number {
  const found = /found (\d+)/.exec(error.message);
  return found?.[1] !== undefined ? Number(found[1]) : limit + 1;
}

/**
 * Runs a graphql-armor rule as one of ours: armor counts (with fragments memoised), we report.
 * Its own error ("Syntax Error: …", thrown, no code) is replaced by a reported
 * `QUERY_TOO_COMPLEX` with `measure`, `limit`, `actual` and the operation's location, the same
 * shape over HTTP and graphql-ws.
 */
function armored(measure: LimitMeasure, limit: number, rule: (options: ArmorOptions) => (context: ValidationContext) => ASTVisitor): ValidationRule {
  return (context) => {
    let operation: OperationDefinitionNode | undefined;
    const inner = rule({
      n: limit,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [
        (_ctx, err) => {
          const actual = armorCount(err, limit);
          context.reportError(queryTooComplex(`query ${measure} ${actual} exceeds the maximum of ${limit}`, { limit, actual, measure }, operation ? { nodes: [operation] } : {}));
        },
      ],
    })(context);
    // visitInParallel calls the visitors in order: the operation is known before armor rejects it.
    return visitInParallel([{ OperationDefinition: { enter: (node) => void (operation = node) } }, inner]);
  };
}

/**
 * Rejects an operation nested deeper than `maxDepth` fields (fragments flattened: a spread is
 * not a level; `__schema` is free so GraphiQL can introspect). Guards against cyclic-schema
 * amplification.
 */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return armored('depth', maxDepth, (o) => armorMaxDepth({ ...o, flattenFragments: true, ignoreIntrospection: true }));
}

/** Rejects an operation with more than `maxAliases` aliased fields (a fragment counts once per spread): alias batching amplifies work. */
export function maxAliasesRule(maxAliases: number): ValidationRule {
  return armored('aliases', maxAliases, (o) => armorMaxAliases(o));
}

/** Rejects an operation with more than `maxDirectives` directives (directive floods cost parse and validation time). */
export function maxDirectivesRule(maxDirectives: number): ValidationRule {
  return armored('directives', maxDirectives, (o) => armorMaxDirectives(o));
}
