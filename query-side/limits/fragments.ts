import { Kind, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

/** Fragment definitions of a document by name. */
export type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** Collects the fragment definitions of `document`. */
export function fragmentsOf(document: DocumentNode): Fragments {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

/** Introspection meta fields (`__schema`, `__type`, `__typename`) are free and never limited. */
export function isMetaField(name: string): boolean {
  return name.startsWith('__');
}
