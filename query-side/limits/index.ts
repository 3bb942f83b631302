import type { ValidationRule } from 'graphql';
import type { AppConfig } from '../../platform/index.ts';
import { maxAliasesRule, maxDepthRule, maxDirectivesRule } from './armor.ts';
import { maxCostRule } from './cost.ts';

export { armorCount, maxAliasesRule, maxDepthRule, maxDirectivesRule, type LimitMeasure } from './armor.ts';
export { maxCostRule, operationCost, type CostOptions } from './cost.ts';
export { fragmentsOf, type Fragments } from './fragments.ts';
export { createMemoryRateLimiter, createRedisRateLimiter, type RateDecision, type RateLimiter, type RateLimiterOptions } from './rateLimit.ts';
export { createEdgeLimiters, type EdgeLimiters } from './edgeLimiters.ts';
export { parseOptions, tokenLimitError } from './tokens.ts';

/**
 * The operation limits for the configured values, in this order: depth, aliases and directives
 * (graphql-armor's counters), then our cost rule (armor's cost limit does not multiply by list
 * sizes from variables or the schema; see the README). Tokens are bounded earlier, by the parser
 * ({@link parseOptions}).
 */
export function limitRules(limits: AppConfig['limits']): ValidationRule[] {
  return [maxDepthRule(limits.maxQueryDepth), maxAliasesRule(limits.maxAliases), maxDirectivesRule(limits.maxDirectives), maxCostRule(limits.maxQueryCost)];
}
