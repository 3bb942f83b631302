// ESLint flat config. Three jobs: TypeScript hygiene (typescript-eslint, syntax-only rules so lint stays
// fast), the architecture's import rules (no cycles; every part imported only through its index.ts
// edge, and only in the allowed directions drawn in the README), and GraphQL's own schema conventions.
import graphql from '@graphql-eslint/eslint-plugin';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { boundaryZones } from './eslint.boundaries.js';

export default tseslint.config(
  // Generated client code (graphql-codegen) and its build output are not ours to lint.
  { ignores: ['node_modules/**', '.stack/**', 'stack/ferretdb/**', 'stack/kafka/**', 'dist/**', 'clients/ts/dist/**', 'clients/ts/src/generated/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      // no-cycle follows imports by parsing the imported files: tell it .ts files are TypeScript.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Never parse dependencies: cycles that matter are between our own files.
      'import-x/ignore': ['node_modules'],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A timer declared before the closure that clears it, assigned after: not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    // Production code of each part: the edges and directions of the README's diagram, and no cycles.
    // Tests and benchmarks are white-box and may reach inside a part.
    files: ['**/*.ts'],
    ignores: ['tests/**', 'bench/**', '**/*.test.ts'],
    // Cycles are looked for from production files only: nothing imports a test, so no cycle runs through one.
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: boundaryZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['schema/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: 'schema/*.graphql' } } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/naming-convention': ['error', { EnumValueDefinition: 'UPPER_CASE', types: 'PascalCase' }],
      '@graphql-eslint/require-description': ['error', {
        types: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true,
        DirectiveDefinition: true, ScalarTypeDefinition: true,
      }],
      '@graphql-eslint/known-type-names': 'error',
      '@graphql-eslint/unique-enum-value-names': 'error',
      'no-restricted-syntax': ['error',
        {
          // A time is a DateTime, never a String.
          selector: 'FieldDefinition[name.value=/(At|Time|Date)$/] NamedType[name.value="String"], InputValueDefinition[name.value=/(At|Time|Date)$/] NamedType[name.value="String"]',
          message: 'A time is a DateTime (scalars.graphql), not a String.',
        },
        {
          // A closed set of states is an enum, never a free String.
          selector: 'FieldDefinition[name.value=/^(status|state|phase)$/i] NamedType[name.value="String"]',
          message: 'A closed set of states is an enum, not a String.',
        },
      ],
    },
  },
);
