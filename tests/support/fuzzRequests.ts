import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One HTTP request of the fuzz suite: what is sent, and which family of abuse it belongs to. */
export interface FuzzRequest {
  kind: 'schema' | 'wrongVariables' | 'garbageQuery' | 'deepNesting' | 'hugeList' | 'badJson' | 'bodyShape' | 'contentType' | 'method';
  method: string;
  /** Query string of the URL (GET), without `?`. */
  search?: string;
  headers: Record<string, string>;
  body?: string;
}

/** A deterministic random source for one request (seeded by fast-check: the walk itself draws thousands of values). */
interface Draw {
  int(min: number, max: number): number;
  text(maxLength: number): string;
  json(depth: number): unknown;
}

const ODD_CHARS = ['{', '}', '(', ')', '$', '"', '\\', ':', '@', '.', '…', '\u0000', '\ud83d\udcb3', '\u202e', ' ', '\n', 'a', 'Z', '9', '#'];

/** mulberry32 over `seed`: small, fast and good enough to pick among schema branches. */
function draw(seed: number): Draw {
  let t = seed >>> 0;
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const d: Draw = {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    text: (maxLength) => Array.from({ length: d.int(0, maxLength) }, () => (next() < 0.5 ? String.fromCharCode(d.int(32, 126)) : (ODD_CHARS[d.int(0, ODD_CHARS.length - 1)] as string))).join(''),
    json: (depth) => {
      const k = d.int(0, depth > 0 ? 6 : 4);
      if (k === 0) return null;
      if (k === 1) return next() < 0.5;
      if (k === 2) return d.int(-1e6, 1e6) / (next() < 0.5 ? 1 : 7);
      if (k === 3 || k === 4) return d.text(20);
      if (k === 5) return Array.from({ length: d.int(0, 3) }, () => d.json(depth - 1));
      return Object.fromEntries(Array.from({ length: d.int(0, 3) }, () => [d.text(8), d.json(depth - 1)]));
    },
  };
  return d;
}

/** Seeded values the schema walk picks from: some valid, most merely well-typed, some hostile. */
const STRINGS = ['FUZZ-1', 'FUZZ-2', 'c1', 'EUR', 'USD', 'tok_visa', 'tok_declined', '', ' ', 'x'.repeat(300), '00000000-0000-4000-8000-000000000000', 'order-1', '"; drop table events; --', '\u0000', '💳', '{"$gt":""}', '2026-12-02', 'FR'];
const INTS = [0, 1, 2, 10, 100, -1, 2_147_483_647, -2_147_483_648];
const AUTH = ['', 'Bearer dev:alice:staff', 'Bearer dev:olga:operator', 'Bearer dev:c1:customer', 'Bearer dev:c2:customer'];
/** Refused before GraphQL (401): a few, so most requests reach parsing, validation and resolvers. */
const BAD_AUTH = ['Bearer garbage', 'Bearer dev:x:root', 'Basic YTpi', 'Bearer ', `Bearer ${'a'.repeat(2000)}`];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/graphql', 'application/json; charset=latin1', 'application/octet-stream', ''];

function pick<T>(g: Draw, items: readonly T[]): T {
  return items[g.int(0, items.length - 1)] as T;
}

function chance(g: Draw, percent: number): boolean {
  return g.int(0, 99) < percent;
}

/** A GraphQL literal of `type`: usually well-typed, sometimes of the wrong type (a validation error). */
function literal(g: Draw, type: GraphQLInputType, depth: number): string {
  if (chance(g, 5)) return pick(g, ['"wrong"', '42', 'true', 'null', '[1, 2]', '{ a: 1 }', 'ENUM_NOPE', '$undeclared']);
  const inner = getNullableType(type);
  if (isNonNullType(type) === false && chance(g, 5)) return 'null';
  if (isListType(inner)) {
    const n = chance(g, 3) ? g.int(50, 400) : g.int(0, 3);
    return `[${Array.from({ length: n }, () => literal(g, inner.ofType, depth + 1)).join(', ')}]`;
  }
  if (isInputObjectType(inner)) {
    if (depth > 4) return '{}';
    const fields = Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) || chance(g, 50));
    // Now and then a required field is missing: a validation error, never a write.
    const kept = chance(g, 5) ? fields.slice(1) : fields;
    return `{ ${kept.map((f) => `${f.name}: ${literal(g, f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isEnumType(inner)) return pick(g, inner.getValues()).name;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
        return String(pick(g, INTS));
      case 'Float':
        return pick(g, ['0.5', '-1e308', '1']);
      case 'Boolean':
        return pick(g, ['true', 'false']);
      default:
        return JSON.stringify(chance(g, 10) ? g.text(40) : pick(g, STRINGS));
    }
  }
  return 'null';
}

/** A JSON value for a variable of `type`: well-typed, or (in `wrong` mode) anything at all. */
function jsonValue(g: Draw, type: GraphQLInputType, wrong: boolean, depth: number): unknown {
  if (wrong && chance(g, 40)) return g.json(3);
  const inner = getNullableType(type);
  if (isListType(inner)) return Array.from({ length: g.int(0, 3) }, () => jsonValue(g, inner.ofType, wrong, depth + 1));
  if (isInputObjectType(inner)) {
    if (depth > 4) return {};
    return Object.fromEntries(Object.values(inner.getFields()).filter((f) => isNonNullType(f.type) || chance(g, 50)).map((f) => [f.name, jsonValue(g, f.type, wrong, depth + 1)]));
  }
  if (isEnumType(inner)) return pick(g, inner.getValues()).name;
  if (isScalarType(inner)) {
    if (inner.name === 'Int') return pick(g, INTS);
    if (inner.name === 'Float') return 0.5;
    if (inner.name === 'Boolean') return chance(g, 50);
    return pick(g, STRINGS);
  }
  return null;
}

/** A selection set on `type`, `budget` levels deep at most (the walk sometimes goes past the depth limit on purpose). */
function selection(g: Draw, type: GraphQLNamedType, budget: number): string {
  if (isUnionType(type) || isInterfaceType(type)) {
    const options = isUnionType(type) ? type.getTypes() : [];
    const frag = options.length > 0 ? ` ... on ${pick(g, options).name} ${selection(g, pick(g, options), budget)}` : '';
    return `{ __typename${frag} }`;
  }
  if (!isObjectType(type)) return '';
  const fields = Object.values(type.getFields());
  const count = g.int(1, Math.min(3, fields.length));
  const chosen = Array.from({ length: count }, () => pick(g, fields));
  return `{ ${chosen.map((f) => fieldText(g, f, budget - 1, undefined)).join(' ')} }`;
}

interface VariableSink {
  defs: string[];
  values: Record<string, unknown>;
  wrong: boolean;
}

function argumentText(g: Draw, arg: GraphQLArgument, depth: number, vars: VariableSink | undefined): string | undefined {
  if (!isNonNullType(arg.type) && !chance(g, 50)) return undefined;
  if (isNonNullType(arg.type) && chance(g, 3)) return undefined; // a missing required argument
  if (vars && chance(g, 50)) {
    const name = `v${vars.defs.length}`;
    vars.defs.push(`$${name}: ${arg.type.toString()}`);
    if (!chance(g, 10)) vars.values[name] = jsonValue(g, arg.type, vars.wrong, depth);
    return `${arg.name}: $${name}`;
  }
  return `${arg.name}: ${literal(g, arg.type, depth)}`;
}

function fieldText(g: Draw, field: GraphQLField<unknown, unknown>, budget: number, vars: VariableSink | undefined): string {
  const args = field.args.map((a) => argumentText(g, a, 0, vars)).filter((a): a is string => a !== undefined);
  const named = getNamedType(field.type);
  const sub = isObjectType(named) || isUnionType(named) || isInterfaceType(named) ? (budget > 0 ? selection(g, named, budget) : '{ __typename }') : '';
  const alias = chance(g, 10) ? `a${g.int(0, 999)}: ` : '';
  return `${alias}${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''} ${sub}`;
}

/** A random operation over `schema`'s roots, with its variables (well-typed, or wrong in `wrong` mode). */
function schemaOperation(g: Draw, schema: GraphQLSchema, wrong: boolean): { query: string; variables: Record<string, unknown> } {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t): t is GraphQLObjectType => t != null);
  const root = pick(g, roots);
  const keyword = root === schema.getMutationType() ? 'mutation' : root === schema.getSubscriptionType() ? 'subscription' : 'query';
  const vars: VariableSink = { defs: [], values: {}, wrong };
  const fields = Object.values(root.getFields());
  const floods = chance(g, 5);
  const count = floods ? g.int(15, 40) : g.int(1, 2);
  const budget = chance(g, 10) ? g.int(9, 14) : g.int(1, 5);
  const body = Array.from({ length: count }, (_, i) => `${floods ? `f${i}: ` : ''}${fieldText(g, pick(g, fields), budget, vars).replace(/^a\d+: /, '')}`).join(' ');
  const header = vars.defs.length > 0 ? `(${vars.defs.join(', ')})` : '';
  return { query: `${keyword}${header} { ${body} }`, variables: vars.values };
}

const hugeLists = new Map<number, string>();

/** An `inventory(skus:)` body with `n` skus (built once per size: the 90,000 one passes the 1 MB body limit). */
function hugeListBody(n: number): string {
  let body = hugeLists.get(n);
  if (body === undefined) {
    body = json({ query: 'query($skus: [String!]!) { inventory(skus: $skus) { sku } }', variables: { skus: Array.from({ length: n }, (_, i) => `SKU-${i}`) } });
    hugeLists.set(n, body);
  }
  return body;
}

function json(body: unknown): string {
  return JSON.stringify(body);
}

function post(g: Draw, body: string, contentType = 'application/json'): Omit<FuzzRequest, 'kind'> {
  const auth = pick(g, chance(g, 10) ? BAD_AUTH : AUTH);
  return { method: 'POST', headers: { ...(contentType && { 'content-type': contentType }), ...(auth && { authorization: auth }) }, body };
}

/**
 * Random and malformed GraphQL-over-HTTP requests: operations drawn from the schema (valid,
 * invalid and over the limits), wrong variable types, garbage and truncated documents, deep
 * nesting, huge lists, broken JSON, odd body shapes, wrong content types and methods.
 */
export function fuzzRequest(schema: GraphQLSchema): fc.Arbitrary<FuzzRequest> {
  return fc.nat().map((seed): FuzzRequest => {
    const g = draw(seed);
    const kind = pick(g, ['schema', 'schema', 'schema', 'schema', 'wrongVariables', 'wrongVariables', 'garbageQuery', 'deepNesting', 'hugeList', 'badJson', 'bodyShape', 'contentType', 'method'] as const);
    switch (kind) {
      case 'schema':
      case 'wrongVariables': {
        const op = schemaOperation(g, schema, kind === 'wrongVariables');
        return { kind, ...post(g, json({ query: op.query, variables: op.variables, ...(chance(g, 10) && { extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }) })) };
      }
      case 'garbageQuery': {
        const base = schemaOperation(g, schema, false).query;
        const cut = g.int(0, base.length);
        const query = pick(g, [base.slice(0, cut), `${base.slice(0, cut)}${g.text(20)}${base.slice(cut)}`, g.text(200), g.text(100), '{'.repeat(500), '}', '', 'query { __schema { types { name } } }', 'fragment F on Query { ...F } { ...F }']);
        return { kind, ...post(g, json({ query })) };
      }
      case 'deepNesting': {
        const n = g.int(20, 6000);
        const query = chance(g, 50) ? `{ health ${'{ status '.repeat(n)}${'}'.repeat(n)} }` : `{ ${'order(id: "1") { '.repeat(Math.min(n, 300))}id${' }'.repeat(Math.min(n, 300))} }`;
        const variables = chance(g, 30) ? { deep: JSON.parse(`${'['.repeat(Math.min(n, 2000))}${']'.repeat(Math.min(n, 2000))}`) as unknown } : {};
        return { kind, ...post(g, json({ query, variables })) };
      }
      case 'hugeList':
        // Mostly over the 100-sku cap; 1 in 8 just over the 1 MB body limit (each costs both sides a megabyte).
        return { kind, ...post(g, hugeListBody(chance(g, 12) ? 90_000 : pick(g, [101, 1_000, 5_000]))) };
      case 'badJson':
        return { kind, ...post(g, pick(g, ['{', '{"query":', '{"query": "{ health { status } }"', 'nul', '[', '"\\ud800"', '{"query": 1e999999}', '\u0000\u0001', g.text(100)])) };
      case 'bodyShape':
        return { kind, ...post(g, json(pick(g, [null, [], [{ query: '{ health { status } }' }], 42, 'str', { query: 42 }, { query: null }, { query: '{ health { status } }', variables: 'x' }, { query: '{ health { status } }', variables: [1] }, { query: '{ health { status } }', operationName: {} }, { query: { kind: 'Document' } }, {}]))) };
      case 'contentType':
        return { kind, ...post(g, pick(g, [json({ query: 'mutation { ping }' }), 'query=mutation%20%7B%20ping%20%7D', 'mutation { ping }']), pick(g, CONTENT_TYPES)) };
      case 'method': {
        const method = pick(g, ['GET', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
        const query = pick(g, ['{ health { status } }', 'mutation { ping }', '{', schemaOperation(g, schema, false).query]);
        return { kind, method, search: `query=${encodeURIComponent(query)}${chance(g, 30) ? '&variables=%7Bbad' : ''}`, headers: { ...(chance(g, 50) && { 'apollo-require-preflight': 'true' }) } };
      }
    }
  });
}
