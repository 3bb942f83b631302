import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableSandboxGateway } from '../../../command-side/payments/durableSandboxGateway.ts';
import { GatewayUnavailableError } from '../../../command-side/payments/gateway.ts';
import { sandboxId } from '../../../command-side/payments/sandboxRules.ts';
import { freshEventStore } from '../../support/eventStore.ts';

const auth = (orderId: string, token = 'tok_visa', amountMinor = 1299) => ({ orderId, amountMinor, currency: 'EUR', token, idempotencyKey: `payment:authorise:${orderId}` });

describe('durable sandbox gateway (ledger in Postgres)', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    ({ pool } = await freshEventStore('sandbox'));
  });
  afterAll(() => pool?.end());

  it('a restarted process (a new instance) replays earlier answers and holds once', async () => {
    const first = createDurableSandboxGateway({ pool });
    const a1 = await first.authorise(auth('o1'));
    expect(a1).toEqual({ kind: 'authorised', authorisationId: sandboxId('auth', 'payment:authorise:o1') });
    const restarted = createDurableSandboxGateway({ pool });
    expect(await restarted.authorise(auth('o1'))).toEqual(a1);
    expect(await restarted.ledgerFor('o1')).toMatchObject({ authorisations: 1, authorisedMinor: 1299 });
    await expect(restarted.authorise(auth('o1', 'tok_visa', 5))).rejects.toThrow(/reused/);
  });

  it('concurrent repeats from several processes hold and capture once', async () => {
    const gws = [0, 1, 2, 3].map(() => createDurableSandboxGateway({ pool }));
    const answers = await Promise.all(gws.flatMap((g) => [g.authorise(auth('o2')), g.authorise(auth('o2'))]));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    const a = answers[0];
    if (a?.kind !== 'authorised') throw new Error('expected authorised');
    const capture = { orderId: 'o2', authorisationId: a.authorisationId, amountMinor: 1299, currency: 'EUR', idempotencyKey: 'payment:capture:o2' };
    const captures = await Promise.all(gws.map((g) => g.capture(capture)));
    expect(captures.every((c) => c.kind === 'captured')).toBe(true);
    expect(await gws[0]?.void({ orderId: 'o2', authorisationId: a.authorisationId, idempotencyKey: 'payment:void:o2' })).toEqual({ kind: 'refused', reason: 'already_captured' });
    await Promise.all(gws.map((g) => g.refund({ ...capture, idempotencyKey: 'payment:refund:o2' })));
    expect(await gws[3]?.ledgerFor('o2')).toEqual({
      orderId: 'o2', currency: 'EUR', authorisations: 1, authorisedMinor: 1299, capturedMinor: 1299, voidedMinor: 0, refundedMinor: 1299,
    });
  });

  it('follows the sandbox rules: declines, voids, refusals, outages', async () => {
    const gw = createDurableSandboxGateway({ pool });
    expect(await gw.authorise(auth('o3', 'tok_declined'))).toEqual({ kind: 'declined', reason: 'card_declined' });
    expect(await gw.ledgerFor('o3')).toBeUndefined();
    const a = await gw.authorise(auth('o4'));
    if (a.kind !== 'authorised') throw new Error('expected authorised');
    expect(await gw.void({ orderId: 'o4', authorisationId: a.authorisationId, idempotencyKey: 'payment:void:o4' })).toEqual({ kind: 'voided' });
    expect(await gw.capture({ orderId: 'o4', authorisationId: a.authorisationId, amountMinor: 1299, currency: 'EUR', idempotencyKey: 'payment:capture:o4' })).toEqual({ kind: 'refused', reason: 'already_voided' });
    expect(await gw.ledgerFor('o4')).toMatchObject({ voidedMinor: 1299, capturedMinor: 0 });
    gw.setOutage(true);
    await expect(gw.authorise(auth('o5'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    gw.setOutage(false);
    await expect(gw.authorise(auth('o5', 'tok_error'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    expect(gw.calls().authorise).toBe(4);
  });
});
