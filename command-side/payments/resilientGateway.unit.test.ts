import { describe, expect, it } from 'vitest';
import { GatewayUnavailableError, type PaymentGateway } from './gateway.ts';
import { createResilientGateway, type BreakerState, type ResilientGatewayOptions } from './resilientGateway.ts';
import { createSandboxGateway } from './sandboxGateway.ts';

const auth = (orderId: string, token = 'tok_visa') => ({
  orderId,
  amountMinor: 500,
  currency: 'EUR',
  token,
  idempotencyKey: `authorise:${orderId}`,
});

/** Small timings so real cockatiel policies run fast. */
const fast: ResilientGatewayOptions = {
  timeoutMs: 40,
  attempts: 3,
  initialDelayMs: 1,
  maxDelayMs: 5,
  breakerThreshold: 5,
  halfOpenAfterMs: 60,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(p: Promise<unknown>): Promise<GatewayUnavailableError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GatewayUnavailableError);
  return e as GatewayUnavailableError;
}

describe('resilient gateway', () => {
  it('passes answers through, declines included, without retrying them', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, fast);
    await expect(gw.authorise(auth('o1'))).resolves.toMatchObject({ kind: 'authorised' });
    await expect(gw.authorise(auth('o2', 'tok_declined'))).resolves.toEqual({ kind: 'declined', reason: 'card_declined' });
    expect(sandbox.calls().authorise).toBe(2);
    expect(gw.breakerState()).toBe('closed');
  });

  it('retries a transient failure and succeeds, charging once', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, fast);
    sandbox.failNext(2);
    await expect(gw.authorise(auth('o1'))).resolves.toMatchObject({ kind: 'authorised' });
    expect(sandbox.calls().authorise).toBe(3);
    expect(sandbox.ledgerFor('o1')?.authorisations).toBe(1);
  });

  it('gives up after the configured attempts', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, fast);
    const e = await failure(gw.authorise(auth('o1', 'tok_error')));
    expect(e.code).toBe('UNAVAILABLE');
    expect(sandbox.calls().authorise).toBe(3);
  });

  it('times out a call that never answers, aborting it, and retries it (regression: cockatiel 3.2.1 isTaskCancelledError checks the wrong marker)', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, fast);
    const started = Date.now();
    const e = await failure(gw.authorise(auth('o1', 'tok_timeout')));
    expect(e.code).toBe('TIMEOUT');
    expect(e.retriable).toBe(true);
    expect(sandbox.calls().authorise).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('opens after consecutive failures, fails fast while open, half-opens and closes again', async () => {
    const sandbox = createSandboxGateway();
    const states: BreakerState[] = [];
    const gw = createResilientGateway(sandbox, { ...fast, attempts: 1, onBreakerStateChange: (s) => states.push(s) });
    sandbox.setOutage(true);
    for (let i = 0; i < 5; i++) await failure(gw.authorise(auth(`o${i}`)));
    expect(gw.breakerState()).toBe('open');
    expect(sandbox.calls().authorise).toBe(5);

    const fastFail = await failure(gw.authorise(auth('o9')));
    expect(fastFail.code).toBe('CIRCUIT_OPEN');
    expect(fastFail.message).toBe('circuit open');
    expect(sandbox.calls().authorise).toBe(5); // the provider was not called

    sandbox.setOutage(false);
    await sleep(80);
    await expect(gw.authorise(auth('o9'))).resolves.toMatchObject({ kind: 'authorised' });
    expect(gw.breakerState()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    gw.dispose();
  });

  it('does not retry into an open circuit', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, { ...fast, attempts: 10, breakerThreshold: 2 });
    sandbox.setOutage(true);
    const e = await failure(gw.authorise(auth('o1')));
    expect(e.code).toBe('CIRCUIT_OPEN');
    expect(sandbox.calls().authorise).toBe(2);
  });

  it('survives a provider outage: calls fail fast during it and work after it', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, { ...fast, breakerThreshold: 3 });
    sandbox.setOutage(true);
    await failure(gw.authorise(auth('o1')));
    const during = sandbox.calls().authorise;
    for (let i = 0; i < 20; i++) expect((await failure(gw.authorise(auth('o1')))).code).toBe('CIRCUIT_OPEN');
    expect(sandbox.calls().authorise).toBe(during);
    sandbox.setOutage(false);
    await sleep(80);
    await expect(gw.authorise(auth('o1'))).resolves.toMatchObject({ kind: 'authorised' });
    expect(sandbox.ledgerFor('o1')?.authorisations).toBe(1);
  });

  it('a half-open trial that fails opens the circuit again', async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, { ...fast, attempts: 1, breakerThreshold: 1 });
    sandbox.setOutage(true);
    await failure(gw.authorise(auth('o1')));
    await sleep(80);
    await failure(gw.authorise(auth('o1')));
    expect(gw.breakerState()).toBe('open');
  });

  it("the caller's abort is passed through, not turned into a timeout", async () => {
    const sandbox = createSandboxGateway();
    const gw = createResilientGateway(sandbox, { ...fast, timeoutMs: 5000 });
    const ctrl = new AbortController();
    const pending = gw.authorise(auth('o1', 'tok_timeout'), { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('shutting down')), 10);
    await expect(pending).rejects.toThrow('shutting down');
    expect(sandbox.calls().authorise).toBe(1);
  });

  it('wraps any gateway, including one that ignores the abort signal', async () => {
    const stuck: PaymentGateway = {
      authorise: () => new Promise(() => {}),
      capture: () => new Promise(() => {}),
      void: () => new Promise(() => {}),
      refund: () => new Promise(() => {}),
    };
    const gw = createResilientGateway(stuck, { ...fast, attempts: 1 });
    expect((await failure(gw.capture({ orderId: 'o', authorisationId: 'a', amountMinor: 1, currency: 'EUR', idempotencyKey: 'k' }))).code).toBe('TIMEOUT');
  });
});
