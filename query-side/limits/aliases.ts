import { Kind, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { queryTooComplex } from '../errors.ts';
import { fragmentsOf, type Fragments } from './fragments.ts';

/**
 * How many aliased fields an operation executes, counting a fragment once per spread (that is
 * what runs). Memoised per fragment; a fragment cycle counts 0.
 */
export function operationAliases(operation: OperationDefinitionNode, fragments: Fragments): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const countIn = (set: SelectionSetNode): number => {
    let n = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) n += 1;
        if (sel.selectionSet) n += countIn(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        n += countIn(sel.selectionSet);
      } else {
        const name = sel.name.value;
        const cached = memo.get(name);
        const frag = fragments.get(name);
        if (cached !== undefined) n += cached;
        else if (frag && !visiting.has(name)) {
          visiting.add(name);
          const c = countIn(frag.selectionSet);
          visiting.delete(name);
          memo.set(name, c);
          n += c;
        }
      }
    }
    return n;
  };
  return countIn(operation.selectionSet);
}

/** Rejects an operation with more than `maxAliases` aliased fields with `QUERY_TOO_COMPLEX` (alias batching amplifies work). */
export function maxAliasesRule(maxAliases: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const aliases = operationAliases(node, fragments);
        if (aliases > maxAliases) {
          context.reportError(queryTooComplex(`query uses ${aliases} aliases, more than the maximum of ${maxAliases}`, { limit: maxAliases, actual: aliases, measure: 'aliases' }, { nodes: [node] }));
        }
      },
    };
  };
}
