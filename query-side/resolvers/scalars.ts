import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function asMinorUnits(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GraphQLError('MinorUnits must be an integer within ±(2^53-1)', { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Integer money in minor units; wider than GraphQL's 32-bit Int, never fractional. */
export const MinorUnits = new GraphQLScalarType({
  name: 'MinorUnits',
  description: 'Integer amount in minor units (safe integer).',
  serialize: asMinorUnits,
  parseValue: asMinorUnits,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError('MinorUnits must be an integer literal', { extensions: { code: 'BAD_USER_INPUT' } });
    return asMinorUnits(Number(ast.value));
  },
});

/** Scalar resolvers. */
export const scalarResolvers = { MinorUnits };
