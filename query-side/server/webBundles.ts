import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { withSpan, type Logger } from '../../platform/index.ts';

/** The browser pages the API serves, each an esbuild entry under `web/`. */
export const WEB_PAGES = ['graphiql', 'store', 'dashboard'] as const;
export type WebPage = (typeof WEB_PAGES)[number];

/** One page's bundle: its script and its stylesheet (empty when the page imports no CSS). */
export interface PageBundle {
  js: Uint8Array;
  css: Uint8Array;
}

const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Bundles a page's `web/<page>/main.ts` with everything it imports from node_modules (React,
 * GraphiQL, uPlot, the orderflow client) into one ES module and one stylesheet, minified, fonts and
 * images inlined: the page loads nothing from outside the API's origin, so it works offline.
 */
export async function bundlePage(page: WebPage): Promise<PageBundle> {
  const out = await build({
    entryPoints: [`${webRoot}${page}/main.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    outdir: 'out',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
    logLevel: 'silent',
  });
  const of = (ext: string) => out.outputFiles.find((f) => f.path.endsWith(ext))?.contents ?? new Uint8Array();
  return { js: of('.js'), css: of('.css') };
}

/**
 * Bundles each page once, on first request (a few seconds for GraphiQL), and keeps it in memory.
 * A failed build is not cached, so the next request tries again.
 */
export function createPageBundles(logger: Logger): { get(page: WebPage): Promise<PageBundle> } {
  const cache = new Map<WebPage, Promise<PageBundle>>();
  return {
    get(page) {
      let hit = cache.get(page);
      if (!hit) {
        const began = Date.now();
        hit = withSpan('web.bundle', { 'orderflow.page': page }, () => bundlePage(page)).then(
          (b) => (logger.info({ page, ms: Date.now() - began, jsBytes: b.js.length }, 'page bundled'), b),
          (err: unknown) => {
            cache.delete(page);
            logger.error({ err, page }, 'page bundle failed');
            throw err;
          },
        );
        cache.set(page, hit);
      }
      return hit;
    },
  };
}
