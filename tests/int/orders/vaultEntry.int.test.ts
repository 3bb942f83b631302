import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStoreOptions } from '../../../command-side/eventStore/eventStore.ts';
import type { CommandHandler } from '../../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../../command-side/payments/paymentVault.ts';
import { freshEventStore, testCtx } from '../../support/eventStore.ts';
import { seedProduct } from '../../support/orders.ts';

const address = { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' };

async function vaultRows(pool: pg.Pool, token: string): Promise<string[]> {
  const { rows } = await pool.query<{ ref: string }>('select ref from sandbox_payment_methods where token = $1', [token]);
  return rows.map((r) => r.ref);
}

async function paymentRefOf(pool: pg.Pool, orderId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ ref: string }>(`select data->>'paymentRef' as ref from events where stream_id = $1`, [`order-${orderId}`]);
  return rows[0]?.ref;
}

// The sandbox vault's entry rides in the order's own append: the reference exists exactly when the
// order naming it does, with group commit off and on.
describe.each<{ mode: string; options: EventStoreOptions }>([
  { mode: 'one statement per append', options: {} },
  { mode: 'group commit on', options: { groupCommit: { maxCommands: 32, windowMicros: 0 } } },
])('placeOrder stores the card vault entry in its append (real Postgres), $mode', ({ options }) => {
  let pool: pg.Pool;
  let handler: CommandHandler;
  let sku: string;
  beforeAll(async () => {
    ({ pool, handler } = await freshEventStore('vault_entry', 20, options));
    sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    await seedProduct(handler, sku, 900, 0);
  });
  afterAll(() => pool.end());

  const place = (orderId: string, paymentToken: string, ctx = testCtx()) =>
    orderCommands(handler, createPostgresPaymentVault(pool)).placeOrder({ orderId, customerId: 'c-1', lines: [{ sku, quantity: 1 }], shippingAddress: address, paymentToken }, ctx);

  it('an accepted order: one entry, the reference its event names, resolvable by the saga', async () => {
    const orderId = randomUUID();
    const token = `tok_visa_${randomUUID()}`;
    await place(orderId, token);
    const refs = await vaultRows(pool, token);
    expect(refs).toHaveLength(1);
    expect(await paymentRefOf(pool, orderId)).toBe(refs[0]);
    expect(await createPostgresPaymentVault(pool).tokenOf(refs[0] ?? '')).toBe(token);
  });

  it('a refused order (its id already taken) and an idempotent replay store no entry', async () => {
    const orderId = randomUUID();
    await place(orderId, 'tok_visa');
    const refused = `tok_visa_${randomUUID()}`;
    await expect(place(orderId, refused)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await vaultRows(pool, refused)).toEqual([]);
    const keyed = `tok_visa_${randomUUID()}`;
    const ctx = testCtx({ idempotencyKey: `place:${randomUUID()}` });
    const first = await place(randomUUID(), keyed, ctx);
    const again = await place(first.streamId.slice('order-'.length), keyed, ctx);
    expect(again).toEqual({ ...first, appended: [] });
    expect(await vaultRows(pool, keyed)).toHaveLength(1);
  });

  it('concurrent orders: every accepted order has its own entry, and there are no others', async () => {
    const token = `tok_visa_${randomUUID()}`;
    const ids = Array.from({ length: 16 }, () => randomUUID());
    await Promise.all(ids.map((id) => place(id, token)));
    const refs = new Set(await vaultRows(pool, token));
    expect(refs.size).toBe(ids.length);
    for (const id of ids) expect(refs.has((await paymentRefOf(pool, id)) ?? '')).toBe(true);
  });
});
