import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { queryTooComplex } from '../errors.ts';
import { fragmentsOf, operationCost } from '../limits/index.ts';

/** Checks one resolved operation's cost with its real variables. */
export type CostCheck = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined) => void;

/**
 * The execution-time cost check: the {@link operationCost} of the operation with the request's
 * variables, refused above `maxCost`. An operation whose cost reads no variable (no page size
 * from a variable) costs the same for every request, so its cost is kept by operation node (the
 * parsed documents are cached and immutable, so a repeated query text is the same node).
 * @throws GraphQLError QUERY_TOO_COMPLEX (http 400) above `maxCost`.
 */
export function createCostCheck(maxCost: number): CostCheck {
  const fixed = new WeakMap<OperationDefinitionNode, number>();
  return (schema, document, operation, variables) => {
    let cost = fixed.get(operation);
    if (cost === undefined) {
      let readVariable = false;
      // Always an object, so any read of a variable is seen (an absent map would short-circuit it).
      const watched = new Proxy<Readonly<Record<string, unknown>>>(variables ?? {}, {
        get(target, key) {
          readVariable = true;
          return Reflect.get(target, key);
        },
      });
      cost = operationCost(schema, operation, fragmentsOf(document), { variables: watched });
      if (!readVariable) fixed.set(operation, cost);
    }
    if (cost > maxCost) {
      throw queryTooComplex(`query cost ${cost} exceeds the maximum of ${maxCost}`, { limit: maxCost, actual: cost, measure: 'cost' }, { httpStatus: 400 });
    }
  };
}

/**
 * Re-checks the cost with the request's real variables once the operation is resolved
 * (validation saw only variable defaults), so `first: $n` cannot smuggle a huge page size.
 */
export function costPlugin(maxCost: number): ApolloServerPlugin {
  const check = createCostCheck(maxCost);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          check(rc.schema, rc.document, rc.operation, rc.request.variables);
        },
      };
    },
  };
}
