import { buildSchema, GraphQLError, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createCostCheck } from './costPlugin.ts';

const schema = buildSchema(`
  type Query { order(id: ID!): Order customers(first: Int): [Customer!]! }
  type Order { id: ID! lines: [Line!]! }
  type Line { sku: String! }
  type Customer { id: ID! }
`);

function operation(query: string): { document: DocumentNode; op: OperationDefinitionNode } {
  const document = parse(query);
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!op) throw new Error('no operation');
  return { document, op };
}

const refusal = (fn: () => void): unknown => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof GraphQLError ? err.extensions : err;
  }
};

describe('execution-time cost check', () => {
  it('a page size from a variable is read at every request, never taken from an earlier one', () => {
    const check = createCostCheck(100);
    const { document, op } = operation('query Q($n: Int) { customers(first: $n) { id } }');
    expect(refusal(() => check(schema, document, op, { n: 3 }))).toBeUndefined();
    expect(refusal(() => check(schema, document, op, { n: 500 }))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', actual: 501, limit: 100 });
    // Without a variables map the default list size applies, and a later large page is still refused.
    expect(refusal(() => check(schema, document, op, undefined))).toBeUndefined();
    expect(refusal(() => check(schema, document, op, { n: 1000 }))).toMatchObject({ actual: 1001 });
  });

  it('an operation whose cost reads no variable is refused or admitted the same every time', () => {
    const check = createCostCheck(13); // order { id lines { sku } } costs 1 + 1 + (1 + 10 × 1) = 13
    const cheap = operation('query O($id: ID!) { order(id: $id) { id lines { sku } } }');
    for (const id of ['a', 'b']) expect(refusal(() => check(schema, cheap.document, cheap.op, { id }))).toBeUndefined();
    const dear = operation('{ customers { id } customers2: customers { id } }');
    for (let i = 0; i < 2; i++) expect(refusal(() => check(schema, dear.document, dear.op, {}))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', actual: 22 });
  });
});
