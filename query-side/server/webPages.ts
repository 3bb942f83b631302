import type { ServerResponse } from 'node:http';
import type { AppConfig, Logger } from '../../platform/index.ts';
import { createPageBundles, WEB_PAGES, type WebPage } from './webBundles.ts';

const TITLES: Record<WebPage, string> = { graphiql: 'GraphiQL', store: 'Store', dashboard: 'Dashboard' };

/** Escapes JSON for a `<script type="application/json">` block (no `</script>` break-out). */
const safeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The HTML shell of a page: its bundled stylesheet and module from `/assets/`, and its settings as
 * a JSON block the page reads (no inline script runs).
 */
export function pageHtml(page: WebPage, settings: { graphqlPath: string; devToken?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>orderflow · ${TITLES[page]}</title>
  <link rel="stylesheet" href="/assets/${page}.css" />
  <script id="orderflow-config" type="application/json">${safeJson(settings)}</script>
  <script type="module" src="/assets/${page}.js"></script>
</head>
<body>
  <div id="${page === 'graphiql' ? 'graphiql' : 'app'}" style="height:100vh">Loading…</div>
</body>
</html>
`;
}

/** Paths {@link createWebPages} answers (for the request metrics' route label). */
export const WEB_ROUTES: readonly string[] = ['/store', '/dashboard', ...WEB_PAGES.flatMap((p) => [`/assets/${p}.js`, `/assets/${p}.css`])];

/**
 * Serves `/store`, `/dashboard` and `/assets/<page>.(js|css)` from bundles built on first use.
 * Returns false for any other path. GraphiQL's HTML comes from Apollo's landing page (see graphiql.ts).
 */
export function createWebPages(config: Pick<AppConfig, 'env'>, logger: Logger) {
  const bundles = createPageBundles(logger);
  return {
    async serve(pathname: string, res: ServerResponse): Promise<boolean> {
      if (pathname === '/store' || pathname === '/dashboard') {
        const html = pageHtml(pathname.slice(1) as WebPage, { graphqlPath: '/graphql' });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(html);
        return true;
      }
      const asset = /^\/assets\/(graphiql|store|dashboard)\.(js|css)$/.exec(pathname);
      if (!asset) return false;
      const bundle = await bundles.get(asset[1] as WebPage);
      const js = asset[2] === 'js';
      res.writeHead(200, {
        'content-type': js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        'cache-control': config.env === 'production' ? 'public, max-age=300' : 'no-cache',
      });
      res.end(js ? bundle.js : bundle.css);
      return true;
    },
  };
}
