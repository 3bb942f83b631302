import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Lints files with the project's own eslint.config.js; returns the rule ids that fired, per file. */
async function lint(files: string[]): Promise<Record<string, string[]>> {
  const eslint = new ESLint({ cwd: ROOT, cache: false });
  const results = await eslint.lintFiles(files);
  return Object.fromEntries(results.map((r) => [relative(ROOT, r.filePath), r.messages.map((m) => m.ruleId ?? m.message)]));
}

describe('npm run lint guards the architecture', () => {
  // Probe files live inside real parts (the rules are keyed on folders), in a temporary folder of their own.
  let contractsDir = '';
  let queryDir = '';
  beforeAll(async () => {
    contractsDir = await mkdtemp(join(ROOT, 'contracts', 'lint-probe-'));
    queryDir = await mkdtemp(join(ROOT, 'query-side', 'lint-probe-'));
  });
  afterAll(async () => {
    await rm(contractsDir, { recursive: true, force: true });
    await rm(queryDir, { recursive: true, force: true });
  });

  it('fails on an import cycle', async () => {
    const a = join(contractsDir, 'a.ts');
    const b = join(contractsDir, 'b.ts');
    await writeFile(a, "import { b } from './b.ts';\n\nexport const a = (): number => b() + 1;\n");
    await writeFile(b, "import { a } from './a.ts';\n\nexport const b = (): number => a() - 1;\n");
    const found = await lint([a, b]);
    expect(found[relative(ROOT, a)]).toContain('import-x/no-cycle');
    expect(found[relative(ROOT, b)]).toContain('import-x/no-cycle');
  });

  it('fails on an import past another part\'s edge, and on an import against the layer direction', async () => {
    const past = join(queryDir, 'pastEdge.ts');
    await writeFile(past, "import { orderDecider } from '../../command-side/domain/aggregate.ts';\n\nexport const d = orderDecider;\n");
    const upward = join(contractsDir, 'upward.ts');
    await writeFile(upward, "import { createLogger } from '../../platform/index.ts';\n\nexport const l = createLogger;\n");
    const found = await lint([past, upward]);
    expect(found[relative(ROOT, past)]).toContain('import-x/no-restricted-paths');
    expect(found[relative(ROOT, upward)]).toContain('import-x/no-restricted-paths');
  });

  it('passes the same import through the edge', async () => {
    const ok = join(queryDir, 'throughEdge.ts');
    await writeFile(ok, "import { orderCommands } from '../../command-side/index.ts';\n\n/** Probe. */\nexport const c = orderCommands;\n");
    const found = await lint([ok]);
    expect(found[relative(ROOT, ok)]).toEqual([]);
  });
});
