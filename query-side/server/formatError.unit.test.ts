import { GraphQLError } from 'graphql';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../command-side/domain/errors.ts';
import { ConcurrencyError } from '../../command-side/handlers/errors.ts';
import { toGraphQLError } from '../resolvers/commandErrors.ts';
import { createFormatError } from './formatError.ts';

const format = createFormatError(pino({ level: 'silent' }));
const out = (err: unknown) => {
  const e = err instanceof GraphQLError ? err : new GraphQLError('wrapped', { originalError: err as Error });
  return format(e.toJSON(), e).extensions;
};

describe('formatError: each error keeps its own retriable flag', () => {
  it('a domain CONFLICT (wrong status) is not retriable (regression: the code table said true)', () => {
    expect(out(toGraphQLError(new DomainError('CONFLICT', 'order already shipped')))).toEqual({ code: 'CONFLICT', retriable: false });
  });

  it('a lost optimistic-concurrency race is a retriable CONFLICT', () => {
    expect(out(toGraphQLError(new ConcurrencyError('order-1', 1, 2)))).toMatchObject({ code: 'CONFLICT', retriable: true });
  });

  it('a store that did not answer is a retriable UNAVAILABLE, with no detail leaked', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const e = new GraphQLError('boom', { originalError: refused });
    const formatted = format(e.toJSON(), e);
    expect(formatted.extensions).toEqual({ code: 'UNAVAILABLE', retriable: true });
    expect(formatted.message).not.toContain('10.0.0.5');
    expect(out(toGraphQLError(refused))).toEqual({ code: 'UNAVAILABLE', retriable: true });
  });

  it('anything else is an internal error', () => {
    expect(out(new TypeError('x is undefined'))).toEqual({ code: 'INTERNAL_SERVER_ERROR', retriable: true });
  });
});
