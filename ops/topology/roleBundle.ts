import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI_ENTRY = join(PROJECT_ROOT, 'ops', 'cli.ts');

/** The CLI built into one JavaScript file, and how to remove it. */
export interface RoleBundle {
  /** Run it as `node --enable-source-maps <file> <command>`, like `bin/orderflow.mjs`. */
  file: string;
  /** Removes the build folder (a no-op the second time). */
  remove(): void;
}

/**
 * Our modules locate files beside their source (`migrations/`, `schema/`, `web/`, package.json)
 * through `import.meta`; in a bundle that would be the bundle's folder, so each one gets its own
 * source file's values written in.
 */
const sourceLocation: Plugin = {
  name: 'orderflow-source-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(`${PROJECT_ROOT}/`) || args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Builds `ops/cli.ts` and everything it imports from this tree (not node_modules, which stay
 * imports) into one ES module with a source map, in a fresh folder under `.stack/build/` (inside the
 * tree, so node_modules resolve; one folder per caller, so concurrent topologies never share one).
 * Why: a topology starts ten role processes at once, and each one run through tsx spends most of
 * its start compiling and resolving ~250 TypeScript modules on a loader thread; the bundle is built
 * once (about half a CPU-second) and loads as plain JavaScript. The build is from the current
 * sources, so it can never be stale.
 * @throws the esbuild error when the tree does not build.
 */
export async function buildRoleBundle(root: string = join(PROJECT_ROOT, '.stack', 'build')): Promise<RoleBundle> {
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'roles-'));
  const file = join(dir, 'orderflow.mjs');
  try {
    await build({
      entryPoints: [CLI_ENTRY],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      plugins: [sourceLocation],
      logLevel: 'silent',
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
