import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the client, from the server's own SDL (`schema/`) and the operations in
 * `src/operations/`. Documents are emitted as strings (`documentMode: 'string'`), so the client
 * ships no GraphQL parser. Regenerate with `npm run codegen`; `npm run codegen:check` fails when the
 * committed output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  documents: 'clients/ts/src/operations/*.graphql',
  generates: {
    'clients/ts/src/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { MinorUnits: 'number', DateTime: 'string' },
      },
    },
  },
  hooks: {},
};

export default config;
