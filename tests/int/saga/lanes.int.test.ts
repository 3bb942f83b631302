import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { AuthoriseRequest, CallOptions, PaymentGateway } from '../../../command-side/payments/gateway.ts';
import { createSandboxGateway } from '../../../command-side/payments/sandboxGateway.ts';
import { createSagaWorker, sagaTopics, type SagaWorker } from '../../../command-side/saga/runtime/sagaWorker.ts';
import { seedProduct } from '../../support/orders.ts';
import { testLogger } from '../../support/relayHarness.ts';
import { caughtUp, orderOf, placeOrderFor, startSagaStack, waitForStatus, waitUntil, type SagaStack } from '../../support/saga.ts';

const ORDERS = 12;

/** The sandbox, with every authorisation held until the test opens the gate; counts those waiting at once. */
function gatedGateway() {
  const sandbox = createSandboxGateway();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  let most = 0;
  const gateway: PaymentGateway = {
    async authorise(req: AuthoriseRequest, opts?: CallOptions) {
      waiting++;
      most = Math.max(most, waiting);
      try {
        await gate;
      } finally {
        waiting--;
      }
      return sandbox.authorise(req, opts);
    },
    capture: (req, opts) => sandbox.capture(req, opts),
    void: (req, opts) => sandbox.void(req, opts),
    refund: (req, opts) => sandbox.refund(req, opts),
  };
  return { gateway, open, most: () => most };
}

describe('saga lanes: orders of one partition are handled at once (real Postgres and Kafka)', () => {
  let s: SagaStack;
  let saga: SagaWorker | undefined;
  const gated = gatedGateway();
  beforeAll(async () => {
    s = await startSagaStack('lanes', { withoutSaga: true });
  });
  afterAll(async () => {
    gated.open();
    await saga?.stop();
    await s?.stop();
  });

  it(`holds more authorisations at once than the orders topic has partitions (${ORDERS} orders), and confirms every order`, async () => {
    await seedProduct(s.handler, 'LANES-1', 500, 100);
    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i++) ids.push(await placeOrderFor(s, [{ sku: 'LANES-1', quantity: 1 }], 'tok_visa'));
    // Every OrderPlaced is on Kafka before the saga joins, so its first fetch holds them all.
    const ordersTopic = sagaTopics(s.prefix)[0] as string;
    await waitUntil('all OrderPlaced published', async () => {
      const ends = await s.admin.fetchTopicOffsets(ordersTopic);
      return ends.reduce((n, p) => n + Number(p.high), 0) >= ORDERS;
    });
    const partitions = (await s.admin.fetchTopicOffsets(ordersTopic)).length;
    expect(ORDERS).toBeGreaterThan(partitions); // so some partition holds several orders
    saga = createSagaWorker({
      kafka: s.kafka, pool: s.pool, gateway: gated.gateway, logger: testLogger, topicPrefix: s.prefix, partitions, registry: new Registry(),
      // A held authorisation must not time out: the test holds it on purpose.
      resilience: { timeoutMs: 60_000, attempts: 1, breakerThreshold: 100 },
      retry: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    await saga.start();
    // Each partition strictly in order, at most one authorisation per partition could wait at once.
    await waitUntil(`more than ${partitions} authorisations waiting at once`, async () => gated.most() > partitions, 30_000, 50);
    gated.open();
    for (const id of ids) expect((await waitForStatus(s.handler, id, ['confirmed', 'rejected', 'cancelled'], 30_000)).status).toBe('confirmed');
    await waitUntil('saga caught up', () => caughtUp(s.admin, saga?.group ?? '', sagaTopics(s.prefix)), 30_000, 200);
    for (const id of ids) expect((await orderOf(s.handler, id)).status).toBe('confirmed');
  }, 120_000);
});
