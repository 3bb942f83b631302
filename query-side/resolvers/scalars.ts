import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { Timestamp } from '../../contracts/index.ts';

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function asMinorUnits(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw badInput('MinorUnits must be an integer within ±(2^53-1)');
}

/** Integer money in minor units; wider than GraphQL's 32-bit Int, never fractional. */
export const MinorUnits = new GraphQLScalarType({
  name: 'MinorUnits',
  description: 'Integer amount in minor units (safe integer).',
  serialize: asMinorUnits,
  parseValue: asMinorUnits,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw badInput('MinorUnits must be an integer literal');
    return asMinorUnits(Number(ast.value));
  },
});

/** An input time: an ISO 8601 date-time with a zone (the contracts' `Timestamp`), kept as that text. */
function parseDateTime(value: unknown): string {
  if (typeof value === 'string' && Timestamp.safeParse(value).success) return value;
  throw badInput('DateTime must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T14:00:00Z');
}

/** An output time: the views hold ISO text (sent as is); a Date is sent as ISO text too. */
function serializeDateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
  throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
}

/** Every time in the API: RFC 3339 text in and out (the domain's own form). */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO 8601 / RFC 3339 date-time with a time zone.',
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string literal');
    return parseDateTime(ast.value);
  },
});

/** Scalar resolvers. */
export const scalarResolvers = { MinorUnits, DateTime };
