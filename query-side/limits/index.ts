import type { ValidationRule } from 'graphql';
import type { AppConfig } from '../../platform/index.ts';
import { maxAliasesRule } from './aliases.ts';
import { maxCostRule } from './cost.ts';
import { maxDepthRule } from './depth.ts';

export { maxAliasesRule, operationAliases } from './aliases.ts';
export { maxCostRule, operationCost, type CostOptions } from './cost.ts';
export { maxDepthRule, operationDepth } from './depth.ts';
export { fragmentsOf, type Fragments } from './fragments.ts';
export { createRateLimiter, type RateDecision, type RateLimiter, type RateLimiterOptions } from './rateLimit.ts';

/** The depth, alias and cost rules for the configured limits, in that order. */
export function limitRules(limits: AppConfig['limits']): ValidationRule[] {
  return [maxDepthRule(limits.maxQueryDepth), maxAliasesRule(limits.maxAliases), maxCostRule(limits.maxQueryCost)];
}
