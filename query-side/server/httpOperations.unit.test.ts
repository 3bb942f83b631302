import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { noSubscriptionOverHttpRule } from './httpOperations.ts';

const schema = buildSchema('type Query { a: Int } type Mutation { b: Int } type Subscription { c: Int }');
const messages = (doc: string) => validate(schema, parse(doc), [noSubscriptionOverHttpRule]).map((e) => e.message);

describe('noSubscriptionOverHttpRule', () => {
  it('refuses a subscription and says it lives on WebSocket', () => {
    expect(messages('subscription S { c }')).toEqual(['subscriptions are served over WebSocket (graphql-ws, same path), not over HTTP']);
  });

  it('lets queries and mutations through', () => {
    expect(messages('query { a } mutation { b }')).toEqual([]);
  });
});
