import { Kind, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { queryTooComplex } from '../errors.ts';
import { fragmentsOf, isMetaField, type Fragments } from './fragments.ts';

/**
 * The deepest field nesting of an operation (`{ a { b } }` is 2), with fragments expanded.
 * Introspection fields are not counted. Fragment depths are memoised, so nested spreads cost
 * linear time; a fragment cycle (reported by `NoFragmentCyclesRule`) counts 0.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: Fragments): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (set: SelectionSetNode): number => {
    let max = 0;
    for (const sel of set.selections) {
      let d = 0;
      if (sel.kind === Kind.FIELD) {
        if (isMetaField(sel.name.value)) continue;
        d = 1 + (sel.selectionSet ? depthOf(sel.selectionSet) : 0);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        d = depthOf(sel.selectionSet);
      } else {
        const name = sel.name.value;
        const cached = memo.get(name);
        const frag = fragments.get(name);
        if (cached !== undefined) d = cached;
        else if (frag && !visiting.has(name)) {
          visiting.add(name);
          d = depthOf(frag.selectionSet);
          visiting.delete(name);
          memo.set(name, d);
        }
      }
      if (d > max) max = d;
    }
    return max;
  };
  return depthOf(operation.selectionSet);
}

/**
 * Rejects an operation nested deeper than `maxDepth` fields with `QUERY_TOO_COMPLEX`
 * (a guard against cyclic-schema amplification; see graphql-js `validation/rules`).
 */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const depth = operationDepth(node, fragments);
        if (depth > maxDepth) {
          context.reportError(queryTooComplex(`query depth ${depth} exceeds the maximum of ${maxDepth}`, { limit: maxDepth, actual: depth, measure: 'depth' }, { nodes: [node] }));
        }
      },
    };
  };
}
