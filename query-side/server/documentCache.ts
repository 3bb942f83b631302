import { LRUCache } from 'lru-cache';
import { validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';

/** A parsed document and, once asked, what validation said about it. */
interface Entry {
  document: DocumentNode;
  invalid?: readonly GraphQLError[];
}

/** Parsed and validated documents by query text (see {@link createDocumentCache}). */
export interface DocumentCache {
  /** The document of `text`, parsed by `parse` the first time only (its errors propagate and nothing is kept). */
  parsed(text: string, parse: (text: string) => DocumentNode): DocumentNode;
  /** Validation errors of `text`'s document (empty when valid), computed once per text. */
  invalid(text: string, document: DocumentNode): readonly GraphQLError[];
}

/**
 * An LRU of documents by query text for one schema and one rule set. Every socket of a dashboard
 * sends the same subscription text: parsing and validating it once, and sharing the (immutable)
 * AST, saves the time of each subscribe and the memory of a token list and AST per operation (about
 * 5 KiB each: 10,000 subscribers held 10,000 copies). Parsing and validating stay two steps, so a
 * caller can check what needs no validation (anonymous fields) in between, as before.
 * @param max @default 1000 documents
 */
export function createDocumentCache(schema: GraphQLSchema, rules: readonly ValidationRule[], max = 1000): DocumentCache {
  const entries = new LRUCache<string, Entry>({ max });
  return {
    parsed(text, parse) {
      const hit = entries.get(text);
      if (hit) return hit.document;
      const document = parse(text);
      entries.set(text, { document });
      return document;
    },
    invalid(text, document) {
      const entry = entries.get(text);
      if (entry?.document === document && entry.invalid) return entry.invalid;
      const invalid = validate(schema, document, rules);
      if (entry?.document === document) entry.invalid = invalid;
      return invalid;
    },
  };
}
