import { buildSchema, parse, specifiedRules } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentCache } from './documentCache.ts';

const schema = buildSchema('type Query { x: Int } type Subscription { tick(k: String!): Int }');

describe('document cache', () => {
  it('parses and validates a text once, and every caller shares the one AST', () => {
    const cache = createDocumentCache(schema, specifiedRules);
    let parses = 0;
    const p = (t: string) => (parses++, parse(t));
    const text = 'subscription { tick(k: "a") }';
    const a = cache.parsed(text, p);
    const b = cache.parsed(text, p);
    expect(b).toBe(a);
    expect(parses).toBe(1);
    expect(cache.invalid(text, a)).toEqual([]);
    expect(cache.invalid(text, b)).toBe(cache.invalid(text, a));
  });

  it('keeps validation errors with the text and never caches a parse failure', () => {
    const cache = createDocumentCache(schema, specifiedRules);
    const bad = 'subscription { nope }';
    const errors = cache.invalid(bad, cache.parsed(bad, parse));
    expect(errors.map((e) => e.message)).toEqual(['Cannot query field "nope" on type "Subscription".']);
    expect(cache.invalid(bad, cache.parsed(bad, parse))).toBe(errors);
    let parses = 0;
    const failing = (t: string) => (parses++, parse(t));
    expect(() => cache.parsed('subscription {', failing)).toThrow();
    expect(() => cache.parsed('subscription {', failing)).toThrow();
    expect(parses).toBe(2);
  });

  it('holds at most max texts, least recently used out first', () => {
    const cache = createDocumentCache(schema, specifiedRules, 2);
    let parses = 0;
    const p = (t: string) => (parses++, parse(t));
    const texts = ['{ x }', 'query A { x }', 'query B { x }'];
    for (const t of texts) cache.parsed(t, p);
    cache.parsed(texts[2] ?? '', p);
    cache.parsed(texts[0] ?? '', p); // evicted: parsed again
    expect(parses).toBe(4);
  });
});
