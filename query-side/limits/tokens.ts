import { GraphQLError, type ParseOptions } from 'graphql';
import { queryTooComplex } from '../errors.ts';

/**
 * graphql-js's own lexer bound: `parse` stops at the first token past `maxTokens`, so a token
 * flood costs at most that many tokens of work (armor's max-tokens plugin would parse every
 * document a second time behind a Proxy'd lexer; the parser's option does it in the one parse).
 */
export function parseOptions(maxTokens: number): ParseOptions {
  return { maxTokens };
}

/** graphql-js 16's message (its typo "more that" included; newer versions may fix it). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * The `QUERY_TOO_COMPLEX` (`measure: 'tokens'`) error for a parse that stopped at the token
 * limit, found on `error` or its causes; `undefined` for any other error (a real syntax error
 * stays `GRAPHQL_PARSE_FAILED`).
 */
export function tokenLimitError(error: unknown): GraphQLError | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof GraphQLError; depth++) {
    const match = TOKEN_LIMIT.exec(e.message);
    if (match?.[1] !== undefined) {
      const limit = Number(match[1]);
      return queryTooComplex(`query has more than ${limit} tokens`, { limit, actual: limit + 1, measure: 'tokens' }, { httpStatus: 400 });
    }
    e = e.originalError;
  }
  return undefined;
}
