import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isStorageUnavailable } from './storageFailure.ts';

function named(name: string, message = 'x'): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
function coded(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isStorageUnavailable', () => {
  it.each([
    ['mongo server selection', named('MongoServerSelectionError')],
    ['mongo timeoutMS', named('MongoOperationTimeoutError')],
    ['refused socket', coded('ECONNREFUSED')],
    ['postgres statement_timeout', coded('57014')],
    ['postgres admin shutdown', coded('57P01')],
    ['postgres connection exception class', coded('08006')],
    ['pg-pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped in a GraphQLError', new GraphQLError('boom', { originalError: coded('ECONNRESET') })],
    ['as a cause', new Error('load failed', { cause: named('MongoNetworkError') })],
  ])('is true for %s', (_name, err) => {
    expect(isStorageUnavailable(err)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError('undefined is not a function')],
    ['a unique violation', coded('23505')],
    ['a domain-ish code', coded('CONFLICT')],
    ['not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_name, err) => {
    expect(isStorageUnavailable(err)).toBe(false);
  });
});
