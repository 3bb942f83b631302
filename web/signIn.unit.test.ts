import { describe, expect, it } from 'vitest';
import { customerOf, describeError } from './signIn.ts';

describe('page sign-in helpers', () => {
  it('finds the customer of a dev token and of a JWT (customerId claim first, then sub)', () => {
    const jwt = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, '')}.s`;
    expect(customerOf('dev:alice:customer')).toBe('alice');
    expect(customerOf(jwt({ sub: 'u-1' }))).toBe('u-1');
    expect(customerOf(jwt({ sub: 'u-1', customerId: 'c-9' }))).toBe('c-9');
    expect(customerOf('garbage')).toBeUndefined();
  });

  it('turns client errors into messages a user can act on', () => {
    expect(describeError({ code: 'UNAUTHENTICATED', message: 'token expired' })).toEqual({ text: 'Your session has expired. Please sign in again.', signedOut: true });
    expect(describeError({ code: 'FORBIDDEN', message: 'not allowed' }).signedOut).toBe(true);
    expect(describeError({ code: 'NETWORK_ERROR', message: 'x' })).toEqual({ text: 'The server cannot be reached right now. Try again in a moment.', signedOut: false });
    expect(describeError({ code: 'BAD_USER_INPUT', message: 'unknown SKU NOPE' })).toEqual({ text: 'unknown SKU NOPE', signedOut: false });
  });
});
