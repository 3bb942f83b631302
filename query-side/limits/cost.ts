import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { queryTooComplex } from '../errors.ts';
import { fragmentsOf, isMetaField, type Fragments } from './fragments.ts';

/** Arguments read as a page size. */
const PAGE_ARGS = ['first', 'last', 'limit'];

/** Cost model options. */
export interface CostOptions {
  /** Multiplier of a list field without a page-size argument. @default 10 */
  defaultListSize?: number;
  /** Variable values, when known (at execution time); otherwise variable defaults or `defaultListSize`. */
  variables?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The cost of an operation: each field costs 1 plus its sub-selection's cost times a multiplier.
 * The multiplier is the field's `first`/`last`/`limit` argument when given; otherwise
 * `defaultListSize` for a list field, 1 for anything else. A list directly under a paginated
 * non-list field (a connection's `edges`/`nodes`) is the page already counted, so it multiplies
 * by 1. Introspection fields are free. Fragments are expanded (memoised per fragment).
 */
export function operationCost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, options: CostOptions = {}): number {
  const defaultListSize = options.defaultListSize ?? 10;
  const variableDefaults = new Map<string, number>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue?.kind === Kind.INT) variableDefaults.set(def.variable.name.value, Number(def.defaultValue.value));
  }
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const pageSize = (field: FieldNode): number | undefined => {
    for (const arg of field.arguments ?? []) {
      if (!PAGE_ARGS.includes(arg.name.value)) continue;
      const v = arg.value;
      if (v.kind === Kind.INT) return Math.max(0, Number(v.value));
      if (v.kind === Kind.VARIABLE) {
        const name = v.name.value;
        const given = options.variables?.[name];
        if (typeof given === 'number' && Number.isFinite(given)) return Math.max(0, given);
        if (given === undefined || given === null) return variableDefaults.get(name) ?? defaultListSize;
        return defaultListSize;
      }
    }
    return undefined;
  };

  const costOf = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, paged: boolean): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (isMetaField(sel.name.value)) continue;
        const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
        const isList = def ? isListType(getNullableType(def.type)) : false;
        const size = pageSize(sel);
        const multiplier = size ?? (isList && !paged ? defaultListSize : 1);
        const children = sel.selectionSet ? costOf(sel.selectionSet, def ? getNamedType(def.type) : undefined, size !== undefined && !isList) : 0;
        total += 1 + multiplier * children;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        total += costOf(sel.selectionSet, type ?? undefined, paged);
      } else {
        const name = sel.name.value;
        const key = `${name}|${paged}`;
        const cached = memo.get(key);
        const frag = fragments.get(name);
        if (cached !== undefined) total += cached;
        else if (frag && !visiting.has(name)) {
          visiting.add(name);
          const c = costOf(frag.selectionSet, schema.getType(frag.typeCondition.name.value) ?? undefined, paged);
          visiting.delete(name);
          memo.set(key, c);
          total += c;
        }
      }
    }
    return total;
  };

  return costOf(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, false);
}

/**
 * Rejects an operation whose {@link operationCost} (variables unknown: their defaults, else the
 * default list size) exceeds `maxCost`, with `QUERY_TOO_COMPLEX`. The server checks again with
 * the real variables before executing.
 */
export function maxCostRule(maxCost: number, options: Omit<CostOptions, 'variables'> = {}): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const cost = operationCost(context.getSchema(), node, fragments, options);
        if (cost > maxCost) {
          context.reportError(queryTooComplex(`query cost ${cost} exceeds the maximum of ${maxCost}`, { limit: maxCost, actual: cost, measure: 'cost' }, { nodes: [node] }));
        }
      },
    };
  };
}
