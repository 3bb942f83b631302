import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../stack/config.ts';

describe('clients/ts generated code', () => {
  it('is current with schema/ and the operations (npm run codegen:check)', () => {
    const run = spawnSync(process.execPath, ['node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', 'clients/ts/codegen.ts', '--check'], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}\nrun \`npm run codegen\` and commit clients/ts/src/generated/`).toBe(0);
  }, 120_000);
});
