import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

describe('GraphiQL with no CDN (headless Chromium, every non-loopback request blocked)', () => {
  let app: TestApp;
  let browser: TestBrowser & { blocked: string[] };
  beforeAll(async () => {
    app = await startApp('graphiql');
    browser = await launchBrowser('graphiql', { loopbackOnly: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('opens /graphql, runs a query and shows the result', async () => {
    const page = await browser.page();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(`pageerror: ${e.message}`));
    await page.goto(app.url, { waitUntil: 'load' });
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 60_000 }); // the first request bundles GraphiQL
    await run.click();
    await page.locator('.result-window').getByText('"status": "ok"').waitFor({ timeout: 15_000 });
    await browser.screenshot(page, 'graphiql');
    expect(browser.blocked).toEqual([]); // the page asked for nothing outside loopback
    expect(failed).toEqual([]);
  }, 90_000);
});
