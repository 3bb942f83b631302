import { defineConfig } from 'vitest/config';

/**
 * Test files whose verdict is a rate or a lag measured over minutes (the soak's "lag does not grow").
 * They run after the rest of the suite, one at a time, so the other test files' load is not what
 * they measure. Everything else runs three files at a time.
 */
export const quietFiles = ['tests/e2e/soak.e2e.test.ts'];

const include = ['**/*.unit.test.ts', 'tests/**/*.int.test.ts', 'tests/e2e/**/*.e2e.test.ts'];
const exclude = ['node_modules/**', '.stack/**'];

/**
 * One run: unit tests (beside the code, no I/O), integration tests against the real stack
 * (tests/**\/*.int.test.ts) and end-to-end tests through HTTP/WebSocket (tests/e2e).
 * The global setup starts PostgreSQL, Kafka, FerretDB and Redis when they are not running.
 */
export default defineConfig({
  resolve: {
    // graphql 16 has no "exports": Node (and so Apollo and graphql-ws) loads its CommonJS `index.js`,
    // while Vite would pick the "module" `index.mjs` for our sources. Two copies of graphql break
    // `instanceof` checks ("Cannot use GraphQLSchema from another module or realm"), so pin ours
    // to the copy Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    globalSetup: ['tests/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    reporters: ['default', ['json', { outputFile: '.stack/test-results.json' }]],
    projects: [
      { extends: true, test: { name: 'suite', include, exclude: [...exclude, ...quietFiles] } },
      // groupOrder 1: starts when every file of group 0 has finished; singleFork: one file at a time.
      { extends: true, test: { name: 'quiet', include: quietFiles, exclude, sequence: { groupOrder: 1 }, poolOptions: { forks: { singleFork: true } } } },
    ],
  },
});
