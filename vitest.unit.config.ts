import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** Unit tests only (no I/O): no global setup, so nothing is started. `npm run test:unit`. */
export default defineConfig({
  ...(base.resolve ? { resolve: base.resolve } : {}),
  test: { include: ['**/*.unit.test.ts'], exclude: ['node_modules/**', '.stack/**'], pool: 'forks' },
});
