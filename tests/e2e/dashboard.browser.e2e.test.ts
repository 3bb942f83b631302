import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { projectRole } from '../../ops/roles/project.ts';
import { relayRole } from '../../ops/roles/relay.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { apiProcess, type ApiProcess } from '../support/apiProcess.ts';
import { startApp, tokens, type TestApp } from '../support/app.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { placeOrder } from '../support/orders.ts';

const PRICE = 2500;
const address = { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' };
type Gql = { data?: Record<string, unknown>; errors?: { message: string }[] };

describe('/dashboard in headless Chromium: live revenue, and an API killed for 5 s', () => {
  let app: TestApp;
  let api: ApiProcess;
  let browser: TestBrowser;
  const gql = async (query: string, variables: Record<string, unknown>, token: string): Promise<Gql> => {
    const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Gql;
  };
  /** The revenue row of EUR as the page shows it. */
  const shown = async (page: Page) => page.locator('#revenue-EUR').evaluate((row: HTMLElement) => ({ orders: Number(row.dataset['orders'] ?? 0), cancelled: Number(row.dataset['cancelled'] ?? 0), net: Number(row.dataset['net'] ?? 0) }));
  const pageShows = async (page: Page, want: { orders: number; cancelled: number }, ms = 120_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const now = await shown(page);
      if (now.orders === want.orders && now.cancelled === want.cancelled) return now;
      if (Date.now() > deadline) throw new Error(`dashboard shows ${JSON.stringify(now)}, expected ${JSON.stringify(want)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** What the API says about today in EUR (the ground truth the page must end on). */
  const truth = async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await gql('query($d: String!) { revenueByDay(from: $d, to: $d, currency: "EUR") { net orderCount cancelledCount } }', { d: today }, tokens.operator);
    const [day] = (r.data?.['revenueByDay'] ?? []) as { net: number; orderCount: number; cancelledCount: number }[];
    return { orders: day?.orderCount ?? 0, cancelled: day?.cancelledCount ?? 0, net: day?.net ?? 0 };
  };

  beforeAll(async () => {
    // Relay, projectors and saga in this process; the API alone in a child process, so it can be killed.
    app = await startApp('dashui', [relayRole, projectRole, sagaRole]);
    api = await apiProcess(app.env);
    await api.start(120_000);
    const seeded = await gql('mutation { defineProduct(input: { sku: "LAMP", name: "Lamp", unitPrice: { amountMinor: 2500, currency: "EUR" } }) { id } restock(input: { sku: "LAMP", quantity: 1000 }) { id } }', {}, tokens.staff);
    expect(seeded.errors).toBeUndefined();
    browser = await launchBrowser('dashboard', { loopbackOnly: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await api?.kill();
    await app?.stop();
  });

  it('shows 20 orders and 2 cancellations arrive live (revenue and watched customers), then a 5 s API outage as disconnected → resynced with the right totals', async () => {
    const page = await browser.page();
    await page.goto(`${api.url}/dashboard?currencies=EUR&customers=shopper-0,shopper-1#token=${tokens.operator}`);
    await page.locator('#live-badge[data-state="live"]').waitFor({ timeout: 60_000 });
    await page.evaluate(() => document.documentElement.setAttribute('data-test-marker', 'first-load'));
    await browser.screenshot(page, '1-empty');

    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await gql('mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', { input: { customerId: `shopper-${i}`, lines: [{ sku: 'LAMP', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } }, tokens.customer(`shopper-${i}`));
      expect(r.errors).toBeUndefined();
      ids.push((r.data?.['placeOrder'] as { id: string }).id);
    }
    expect((await pageShows(page, { orders: 20, cancelled: 0 })).net).toBe(20 * PRICE);
    for (const [i, id] of ids.slice(0, 2).entries()) {
      const r = await gql('mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { id } }', { input: { orderId: id, reason: 'changed my mind' } }, tokens.customer(`shopper-${i}`));
      expect(r.errors).toBeUndefined();
    }
    const afterCancel = await pageShows(page, { orders: 20, cancelled: 2 });
    // The watched customers' rows follow customerOrdersChanged to the cancellation.
    for (const id of ids.slice(0, 2)) await page.locator(`#customer-orders tr[data-order-id="${id}"][data-status="cancelled"]`).waitFor({ timeout: 30_000 });
    expect(afterCancel).toEqual(await truth());
    expect(afterCancel.net).toBeLessThan(20 * PRICE);
    await browser.screenshot(page, '2-after-orders');

    // Kill the API for 5 s. Meanwhile three more orders go straight to the command side (the saga
    // confirms them): the page can only learn of them by resuming its subscription.
    await api.kill();
    const killedAt = Date.now();
    await page.locator('#live-badge[data-state="disconnected"]').waitFor({ timeout: 15_000 });
    await browser.screenshot(page, '3-disconnected');
    const handler = createCommandHandler({ store: createEventStore(app.pool) });
    for (let i = 0; i < 3; i++) await placeOrder(handler, app.pool, `offline-${i}`, [{ sku: 'LAMP', quantity: 1 }]);
    await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - killedAt))));
    await api.start(120_000);

    await page.locator('#state-history li[data-state="resynced"]').waitFor({ timeout: 120_000 });
    const final = await pageShows(page, { orders: 23, cancelled: 2 });
    expect(final).toEqual(await truth());
    await page.locator('#live-badge[data-state="live"]').waitFor({ timeout: 15_000 });
    const history = await page.locator('#state-history li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset['state']).reverse());
    expect(history.join(' ')).toMatch(/live disconnected (.* )?gap (.* )?resynced live$/);
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-test-marker'))).toBe('first-load'); // never reloaded
    await browser.screenshot(page, '4-resynced');
  }, 420_000);
});
