import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumUp } from '../../stack/chromium.ts';
import { projectRoot } from '../../stack/config.ts';

/** A headless Chromium with a fresh profile, and where a test's screenshots go. */
export interface TestBrowser {
  context: BrowserContext;
  page(): Promise<Page>;
  /** Saves a full-page screenshot as `<name>.png` under `.stack/test-output/<suite>/`; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium through playwright-core (installing it first if needed) with a fresh
 * `--user-data-dir`. With `loopbackOnly`, every request to a host other than 127.0.0.1/localhost is
 * aborted, so a page that needs the internet shows it.
 */
export async function launchBrowser(suite: string, opts: { loopbackOnly?: boolean } = {}): Promise<TestBrowser & { blocked: string[] }> {
  const executablePath = chromiumUp();
  const profile = mkdtempSync(join(tmpdir(), 'orderflow-chromium-'));
  const output = join(projectRoot, '.stack', 'test-output', suite);
  mkdirSync(output, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: [...chromiumArgs], viewport: { width: 1280, height: 800 } });
  const blocked: string[] = [];
  if (opts.loopbackOnly) {
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
        blocked.push(url.href);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
  }
  return {
    context,
    blocked,
    page: () => context.newPage(),
    async screenshot(page, name) {
      const path = join(output, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
