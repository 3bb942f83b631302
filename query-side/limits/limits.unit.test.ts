import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { buildSchema, GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { armorCount, fragmentsOf, limitRules, maxAliasesRule, maxCostRule, maxDepthRule, operationCost, parseOptions, tokenLimitError } from './index.ts';

const schema: GraphQLSchema = buildSchema(`
  type Query {
    me: Customer
    customer(id: ID!): Customer
    customers(first: Int): [Customer!]!
    orders(first: Int, after: String): OrderConnection!
    tags: [String!]!
  }
  type Customer { id: ID! name: String friend: Customer orders(limit: Int): [Order!]! }
  type OrderConnection { edges: [OrderEdge!]! pageInfo: PageInfo! }
  type OrderEdge { cursor: String! node: Order! }
  type PageInfo { hasNextPage: Boolean! }
  type Order { id: ID! lines: [Line!]! }
  type Line { sku: String! qty: Int! }
`);

function run(query: string, rules = limitRules({ maxQueryDepth: 4, maxAliases: 2, maxDirectives: 3, maxTokens: 1000, maxQueryCost: 100, rateLimitPerMinute: 1 })): readonly GraphQLError[] {
  return validate(schema, parse(query), [...specifiedRules, ...rules]);
}

function costOf(query: string, variables?: Record<string, unknown>): number {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  if (!op || op.kind !== 'OperationDefinition') throw new Error('no operation');
  return operationCost(schema, op, fragmentsOf(doc), { variables });
}

describe('maxDepthRule', () => {
  it('accepts a query at the limit', () => {
    expect(run('{ me { friend { friend { id } } } }')).toEqual([]);
  });

  it('rejects one level deeper with QUERY_TOO_COMPLEX and the numbers', () => {
    const errors = run('{ me { friend { friend { friend { id } } } } }');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', limit: 4, actual: 5 });
    expect(errors[0]?.locations).toEqual([{ line: 1, column: 1 }]);
  });

  it('counts depth through fragments and inline fragments', () => {
    const errors = run('query { me { ...F } } fragment F on Customer { friend { ... on Customer { friend { friend { id } } } } }');
    expect(errors.map((e) => e.extensions['code'])).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('ignores introspection fields (GraphiQL introspects deeper than the limit)', () => {
    expect(validate(schema, parse('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }'), [maxDepthRule(2)])).toEqual([]);
  });

  it('survives fragment cycles (the spec rule reports them)', () => {
    const errors = run('{ me { ...A } } fragment A on Customer { friend { ...B } } fragment B on Customer { friend { ...A } }');
    expect(errors.some((e) => /Cannot spread fragment/.test(e.message))).toBe(true);
  });

  it('is linear on exponentially nested spreads', () => {
    const n = 30;
    const frags = Array.from({ length: n }, (_, i) => `fragment F${i} on Customer { ${i + 1 < n ? `friend { ...F${i + 1} } a${i}: friend { ...F${i + 1} }` : 'id'} }`).join('\n');
    const started = performance.now();
    const errors = validate(schema, parse(`{ me { ...F0 } } ${frags}`), [maxDepthRule(100), maxAliasesRule(10), maxCostRule(1000)]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(errors.map((e) => e.extensions['measure']).sort()).toEqual(['aliases', 'cost']);
  });
});

describe('maxAliasesRule', () => {
  it('accepts up to the limit and rejects beyond it', () => {
    expect(run('{ a: me { id } b: me { id } }')).toEqual([]);
    const errors = run('{ a: me { id } b: me { id } c: me { id } }');
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'aliases', actual: 3, limit: 2 });
  });

  it('counts a fragment once per spread', () => {
    const errors = run('{ me { ...F } customer(id: "1") { ...F } } fragment F on Customer { x: id y: name }');
    expect(errors[0]?.extensions).toMatchObject({ measure: 'aliases', actual: 4 });
  });
});

describe('maxDirectivesRule', () => {
  it('accepts up to the limit and rejects beyond it, through fragments too', () => {
    expect(run('query($y: Boolean!) { me @include(if: $y) { id @skip(if: $y) name @include(if: $y) } }')).toEqual([]);
    const errors = run('query($y: Boolean!) { me @include(if: $y) { ...F @include(if: $y) } } fragment F on Customer { id @skip(if: $y) name @skip(if: $y) }');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'directives', limit: 3, actual: 4 });
  });

  it('reads the count from the message armor rejects with (pins its format)', () => {
    const messages: string[] = [];
    validate(schema, parse('{ a: me { id } b: me { id } }'), [maxAliasesRule(1)]).forEach((e) => messages.push(e.message));
    expect(messages).toEqual(['query aliases 2 exceeds the maximum of 1']);
    expect(armorCount(new GraphQLError('Syntax Error: Aliases limit of 1 exceeded, found 7.'), 1)).toBe(7);
    expect(armorCount(new GraphQLError('something else'), 1)).toBe(2);
  });
});

describe('token limit (graphql-js parse option)', () => {
  it('stops a token flood at the limit and maps it to QUERY_TOO_COMPLEX', () => {
    const flood = `{ me { ${'id '.repeat(2000)} } }`;
    let caught: unknown;
    try {
      parse(flood, parseOptions(1000));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GraphQLError);
    expect(tokenLimitError(caught)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'tokens', limit: 1000 });
    expect(() => parse('{ me { id } }', parseOptions(1000))).not.toThrow();
  });

  it('leaves a real syntax error alone', () => {
    let caught: unknown;
    try {
      parse('{ me { id ', parseOptions(1000));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GraphQLError);
    expect(tokenLimitError(caught)).toBeUndefined();
  });
});

describe('operationCost and maxCostRule', () => {
  it('charges 1 per field', () => {
    expect(costOf('{ me { id name } }')).toBe(3);
  });

  it('multiplies a list without page size by 10 and with first/limit by it', () => {
    expect(costOf('{ customers { id } }')).toBe(1 + 10 * 1);
    expect(costOf('{ customers(first: 3) { id orders(limit: 2) { id } } }')).toBe(1 + 3 * (1 + 1 + 2 * 1));
    expect(costOf('{ tags }')).toBe(1);
  });

  it('counts a connection page once (edges under a paginated field multiply by 1)', () => {
    expect(costOf('{ orders(first: 5) { edges { node { id lines { sku } } } pageInfo { hasNextPage } } }')).toBe(1 + 5 * (1 + 1 * (1 + (1 + 1 + 10 * 1)) + 2));
  });

  it('reads page sizes from variables, their defaults, else 10', () => {
    const q = 'query Q($n: Int = 4) { customers(first: $n) { id } }';
    expect(costOf(q)).toBe(1 + 4);
    expect(costOf(q, { n: 50 })).toBe(1 + 50);
    expect(costOf('query Q($n: Int) { customers(first: $n) { id } }')).toBe(1 + 10);
  });

  it('is kept because armor\'s cost limit misses list sizes from variables and from the schema', () => {
    // 50 customers × 10 orders each (the default list size): ours counts 1 + 50 × (1 + 1 + 10 × 2) = 1101.
    const q = 'query Q($n: Int = 50) { customers(first: $n) { id orders { id lines { sku } } } }';
    expect(costOf(q)).toBeGreaterThan(1000);
    expect(validate(schema, parse(q), [maxCostRule(1000)]).map((e) => e.extensions['measure'])).toEqual(['cost']);
    const armor = validate(schema, parse(q), [costLimitRule({ maxCost: 1000, propagateOnRejection: false, onReject: [(ctx, err) => ctx?.reportError(err)] })]);
    expect(armor).toEqual([]);
  });

  it('rejects an expensive query with QUERY_TOO_COMPLEX', () => {
    const errors = run('{ customers(first: 50) { id name } }');
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost', actual: 101, limit: 100 });
  });
});
