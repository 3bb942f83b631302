import { describe, expect, it } from 'vitest';
import { GatewayUnavailableError } from './gateway.ts';
import { createSandboxGateway, sandboxId } from './sandboxGateway.ts';

const auth = (orderId: string, token: string, amountMinor = 1299) => ({
  orderId,
  amountMinor,
  currency: 'EUR',
  token,
  idempotencyKey: `authorise:${orderId}`,
});

describe('sandbox gateway', () => {
  it('authorises test cards with an id derived from the idempotency key', async () => {
    const gw = createSandboxGateway();
    await expect(gw.authorise(auth('o1', 'tok_visa'))).resolves.toEqual({
      kind: 'authorised',
      authorisationId: sandboxId('auth', 'authorise:o1'),
    });
    await expect(gw.authorise(auth('o2', 'tok_mastercard'))).resolves.toMatchObject({ kind: 'authorised' });
  });

  it('declines as values, with the provider reason', async () => {
    const gw = createSandboxGateway();
    await expect(gw.authorise(auth('o1', 'tok_declined'))).resolves.toEqual({ kind: 'declined', reason: 'card_declined' });
    await expect(gw.authorise(auth('o2', 'tok_insufficient_funds'))).resolves.toEqual({
      kind: 'declined',
      reason: 'insufficient_funds',
    });
    await expect(gw.authorise(auth('o3', 'tok_whatever'))).resolves.toEqual({ kind: 'declined', reason: 'invalid_token' });
    expect(gw.ledger()).toEqual([]);
  });

  it('authorising the same order twice returns the same id and holds once', async () => {
    const gw = createSandboxGateway();
    const first = await gw.authorise(auth('o1', 'tok_visa'));
    const second = await gw.authorise(auth('o1', 'tok_visa'));
    expect(second).toEqual(first);
    expect(gw.ledgerFor('o1')).toMatchObject({ authorisations: 1, authorisedMinor: 1299 });
  });

  it('refuses an idempotency key reused for another request', async () => {
    const gw = createSandboxGateway();
    await gw.authorise(auth('o1', 'tok_visa', 100));
    await expect(gw.authorise(auth('o1', 'tok_visa', 200))).rejects.toThrow(/reused/);
  });

  it('keeps a ledger through capture and refund, each idempotent', async () => {
    const gw = createSandboxGateway();
    const a = await gw.authorise(auth('o1', 'tok_visa'));
    if (a.kind !== 'authorised') throw new Error('expected authorised');
    const capture = { orderId: 'o1', authorisationId: a.authorisationId, amountMinor: 1299, currency: 'EUR' };
    const c1 = await gw.capture({ ...capture, idempotencyKey: 'capture:o1' });
    const c2 = await gw.capture({ ...capture, idempotencyKey: 'capture:o1' });
    expect(c1).toEqual({ kind: 'captured', captureId: sandboxId('cap', 'capture:o1') });
    expect(c2).toEqual(c1);
    await expect(gw.capture({ ...capture, idempotencyKey: 'capture:o1:again' })).resolves.toEqual({
      kind: 'refused',
      reason: 'already_captured',
    });
    await expect(gw.void({ orderId: 'o1', authorisationId: a.authorisationId, idempotencyKey: 'void:o1' })).resolves.toEqual({
      kind: 'refused',
      reason: 'already_captured',
    });
    await gw.refund({ ...capture, idempotencyKey: 'refund:o1' });
    await gw.refund({ ...capture, idempotencyKey: 'refund:o1' });
    expect(gw.ledgerFor('o1')).toEqual({
      orderId: 'o1',
      currency: 'EUR',
      authorisations: 1,
      authorisedMinor: 1299,
      capturedMinor: 1299,
      voidedMinor: 0,
      refundedMinor: 1299,
    });
  });

  it('voids a hold once and then refuses to capture it', async () => {
    const gw = createSandboxGateway();
    const a = await gw.authorise(auth('o1', 'tok_visa'));
    if (a.kind !== 'authorised') throw new Error('expected authorised');
    const v = { orderId: 'o1', authorisationId: a.authorisationId, idempotencyKey: 'void:o1' };
    await expect(gw.void(v)).resolves.toEqual({ kind: 'voided' });
    await expect(gw.void(v)).resolves.toEqual({ kind: 'voided' });
    await expect(
      gw.capture({ orderId: 'o1', authorisationId: a.authorisationId, amountMinor: 1, currency: 'EUR', idempotencyKey: 'c' }),
    ).resolves.toEqual({ kind: 'refused', reason: 'already_voided' });
    expect(gw.ledgerFor('o1')).toMatchObject({ voidedMinor: 1299, capturedMinor: 0 });
  });

  it('refuses unknown authorisations', async () => {
    const gw = createSandboxGateway();
    await expect(gw.void({ orderId: 'o1', authorisationId: 'auth_nope', idempotencyKey: 'v' })).resolves.toEqual({
      kind: 'refused',
      reason: 'unknown_authorisation',
    });
  });

  it('tok_error throws a retriable GatewayUnavailableError', async () => {
    const gw = createSandboxGateway();
    const err = await gw.authorise(auth('o1', 'tok_error')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayUnavailableError);
    expect((err as GatewayUnavailableError).retriable).toBe(true);
  });

  it('tok_timeout never answers until aborted, and holds nothing', async () => {
    const gw = createSandboxGateway();
    const ctrl = new AbortController();
    const pending = gw.authorise(auth('o1', 'tok_timeout'), { signal: ctrl.signal });
    const raced = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 30))]);
    expect(raced).toBe('waiting');
    ctrl.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    expect(gw.ledger()).toEqual([]);
  });

  it('an outage makes every call throw until switched off', async () => {
    const gw = createSandboxGateway();
    gw.setOutage(true);
    await expect(gw.authorise(auth('o1', 'tok_visa'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gw.void({ orderId: 'o1', authorisationId: 'x', idempotencyKey: 'v' })).rejects.toBeInstanceOf(
      GatewayUnavailableError,
    );
    gw.setOutage(false);
    await expect(gw.authorise(auth('o1', 'tok_visa'))).resolves.toMatchObject({ kind: 'authorised' });
    expect(gw.calls()).toEqual({ authorise: 2, capture: 0, void: 1, refund: 0 });
  });

  it('failNext(n) fails exactly the next n calls', async () => {
    const gw = createSandboxGateway();
    gw.failNext(2);
    await expect(gw.authorise(auth('o1', 'tok_visa'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gw.authorise(auth('o1', 'tok_visa'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gw.authorise(auth('o1', 'tok_visa'))).resolves.toMatchObject({ kind: 'authorised' });
  });
});
