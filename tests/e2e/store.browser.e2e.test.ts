import { SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { serveRole } from '../../ops/roles/serve.ts';
import { startApp, type TestApp } from '../support/app.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

const SECRET = 'store-page-test-secret-0123456789abcdef';
const jwt = (sub: string, roles: string[], expiresAt: number) =>
  new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(expiresAt - 3600).setExpirationTime(expiresAt).sign(new TextEncoder().encode(SECRET));
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('/store in headless Chromium (JWT auth, relay, projectors, saga)', () => {
  let app: TestApp;
  let browser: TestBrowser;
  let origin: string;

  beforeAll(async () => {
    app = await startApp('store', [relayRole, projectRole, sagaRole, serveRole], { ORDERFLOW_AUTH_MODE: 'jwt', ORDERFLOW_JWT_SECRET: SECRET });
    origin = new URL(app.url).origin;
    const staff = await jwt('stocker', ['staff'], inAnHour());
    const r = await app.gql(`mutation { defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1200, currency: "EUR" } }) { id } restock(input: { sku: "MUG", quantity: 50 }) { id } }`, {}, staff);
    expect(r.errors).toBeUndefined();
    browser = await launchBrowser('store', { loopbackOnly: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Opens the store signed in with `token`; `reloaded()` tells whether the document was replaced since (a marker set on it is gone). */
  async function openStore(token: string): Promise<{ page: Page; reloaded: () => Promise<boolean> }> {
    const page = await browser.page();
    await page.goto(`${origin}/store#token=${token}`);
    await page.locator('#order button').waitFor({ timeout: 60_000 });
    await page.evaluate(() => document.documentElement.setAttribute('data-test-marker', 'first-load'));
    return { page, reloaded: async () => (await page.evaluate(() => document.documentElement.getAttribute('data-test-marker'))) !== 'first-load' };
  }

  it('places an order and sees it confirmed live, without a reload', async () => {
    const { page, reloaded } = await openStore(await jwt('shopper-1', ['customer'], inAnHour()));
    await page.locator('#order button').click();
    await page.locator('#status[data-status="placed"], #status[data-status="confirmed"]').waitFor({ timeout: 15_000 });
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 30_000 });
    await browser.screenshot(page, 'store-confirmed');
    expect(await reloaded()).toBe(false);
    expect(await page.locator('#message').textContent()).toBe('');
  }, 90_000);

  it('an invalid sku shows a clear message and places nothing', async () => {
    const { page } = await openStore(await jwt('shopper-2', ['customer'], inAnHour()));
    await page.locator('input[name=sku]').fill('NO-SUCH-THING');
    await page.locator('#order button').click();
    await page.locator('#message').getByText(/sku/i).waitFor({ timeout: 15_000 });
    await browser.screenshot(page, 'store-invalid-sku');
    expect(await page.locator('#order-card').isHidden()).toBe(true);
  }, 60_000);

  it('a declined card shows the order rejected with the reason', async () => {
    const { page } = await openStore(await jwt('shopper-3', ['customer'], inAnHour()));
    await page.locator('select[name=card]').selectOption('tok_declined');
    await page.locator('#order button').click();
    await page.locator('#status[data-status="rejected"]').waitFor({ timeout: 30_000 });
    await page.locator('#message').getByText(/rejected: .*declined/i).waitFor({ timeout: 5_000 });
    await browser.screenshot(page, 'store-declined');
  }, 60_000);

  it('an expired session shows "session has expired" and the sign-in form, not a blank page', async () => {
    const { page } = await openStore(await jwt('shopper-4', ['customer'], Math.floor(Date.now() / 1000) - 60));
    await page.locator('#order button').click();
    await page.locator('#sign-in').getByText('Your session has expired').waitFor({ timeout: 15_000 });
    await browser.screenshot(page, 'store-expired');
  }, 60_000);
});
