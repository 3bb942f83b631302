import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeExecutableSchema, type IExecutableSchemaDefinition } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';

/** The SDL folder at the project root. */
export const schemaDir = resolve(import.meta.dirname, '..', 'schema');

/** A resolver map (or several) for {@link buildSchema}. */
export type Resolvers = NonNullable<IExecutableSchemaDefinition['resolvers']>;

/**
 * Reads every `*.graphql` file of `dir`, in file name order (the order does not matter to the
 * merge; it only keeps error messages stable).
 * @throws when the folder cannot be read or holds no SDL file.
 */
export function loadTypeDefs(dir: string = schemaDir): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort();
  if (files.length === 0) throw new Error(`no *.graphql files in ${dir}`);
  return files.map((f) => readFileSync(join(dir, f), 'utf8'));
}

/**
 * The executable schema: the SDL of `schema/` (plus `extraTypeDefs`, for tests) with `resolvers`.
 * `extend type` definitions are merged whatever file they are in.
 * @throws GraphQLError when the SDL is invalid or a resolver names a missing field.
 */
export function buildSchema(resolvers: Resolvers, options: { dir?: string; extraTypeDefs?: string[] } = {}): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: [...loadTypeDefs(options.dir), ...(options.extraTypeDefs ?? [])],
    resolvers,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
