import type { ApolloServerPlugin } from '@apollo/server';
import { queryTooComplex } from '../errors.ts';
import { fragmentsOf, operationCost } from '../limits/index.ts';

/**
 * Re-checks the cost with the request's real variables once the operation is resolved
 * (validation saw only variable defaults), so `first: $n` cannot smuggle a huge page size.
 */
export function costPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const cost = operationCost(rc.schema, rc.operation, fragmentsOf(rc.document), { variables: rc.request.variables });
          if (cost > maxCost) {
            throw queryTooComplex(`query cost ${cost} exceeds the maximum of ${maxCost}`, { limit: maxCost, actual: cost, measure: 'cost' }, { httpStatus: 400 });
          }
        },
      };
    },
  };
}
