import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createCommandHandler, type CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { catalogueCommands } from '../../../command-side/handlers/catalogue.ts';
import type { EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { freshEventStore, testCtx } from '../../support/eventStore.ts';
import { placeOrder, seedProduct } from '../../support/orders.ts';
import { StaleGuardError } from '../../../command-side/handlers/errors.ts';

/** The unit price an order was charged, from its stored OrderPlaced event. */
async function chargedPrice(store: EventStore, orderId: string): Promise<number> {
  const [placed] = await store.readStream(`order-${orderId}`);
  const data = placed?.envelope.data as { lines: { unitPriceMinor: number }[] };
  return data.lines[0]?.unitPriceMinor ?? Number.NaN;
}

// Two handlers over one database stand for two processes: each has its own price cache, so the
// one placing orders holds a stale price as soon as the other changes it.
describe('placeOrder prices from a per-process cache, guarded in the append (real Postgres)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  let shop: CommandHandler;
  let back: CommandHandler;
  beforeAll(async () => {
    ({ pool, store, handler: shop } = await freshEventStore('price_race', 30));
    back = createCommandHandler({ store });
  });
  afterAll(() => pool.end());

  it('an order placed after a price change was acknowledged elsewhere charges the new price, not the cached one', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    await seedProduct(back, sku, 1000, 0);
    expect(await chargedPrice(store, await placeOrder(shop, pool, 'c-1', [{ sku, quantity: 1 }]))).toBe(1000); // shop now caches 1000
    await catalogueCommands(back).changePrice({ sku, unitPrice: { amountMinor: 1700, currency: 'EUR' } }, testCtx());
    expect(await chargedPrice(store, await placeOrder(shop, pool, 'c-1', [{ sku, quantity: 1 }]))).toBe(1700);
  });

  it('price changes racing 8 order writers: no order started after a change was acknowledged charges an older price', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    await seedProduct(back, sku, 1000, 0);
    const acked: { at: number; price: number }[] = [{ at: 0, price: 1000 }];
    const placed: { startedAt: number; orderId: string }[] = [];
    let changing = true;
    // A command whose price guard stays stale through every retry is refused with StaleGuardError:
    // it is not acknowledged and charges nothing, so the property below is about acknowledged
    // orders. On a loaded box a writer can lose every retry to the changer (seen in CI).
    let refused = 0;
    const writer = async () => {
      while (changing) {
        const startedAt = performance.now();
        try {
          placed.push({ startedAt, orderId: await placeOrder(shop, pool, `c-${placed.length}`, [{ sku, quantity: 1 }]) });
        } catch (err) {
          if (!(err instanceof StaleGuardError)) throw err;
          refused++;
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    for (let price = 1100; price <= 2000; price += 100) {
      await new Promise((r) => setTimeout(r, 15));
      await catalogueCommands(back).changePrice({ sku, unitPrice: { amountMinor: price, currency: 'EUR' } }, testCtx());
      acked.push({ at: performance.now(), price });
    }
    await new Promise((r) => setTimeout(r, 15));
    changing = false;
    await Promise.all(writers);
    let afterAChange = 0;
    for (const o of placed) {
      // Prices only rise here, so "not older" is "at least the last price acknowledged before the order started".
      const floor = acked.filter((a) => a.at < o.startedAt).at(-1)?.price ?? 1000;
      if (floor > 1000) afterAChange++;
      expect(await chargedPrice(store, o.orderId)).toBeGreaterThanOrEqual(floor);
    }
    expect(afterAChange).toBeGreaterThan(10);
    expect(refused).toBeLessThan(placed.length);
  });
});
