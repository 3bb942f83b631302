import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, subscribe, tokens, type TestApp } from '../support/app.ts';
import { eventually } from '../support/pipeline.ts';

// The SDK of this test process, recording in memory: the app's tracer (a proxy) starts using it at once.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
trace.setGlobalTracerProvider(provider);

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
const CHANGED = `subscription($c: String!) { customerOrdersChanged(customerId: $c) { token order { id status } } }`;
const address = { line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

const correlationIdsOf = (s: ReadableSpan): string[] => {
  const one = s.attributes['orderflow.correlation_id'];
  const many = s.attributes['orderflow.correlation_ids'];
  return [...(typeof one === 'string' ? [one] : []), ...(Array.isArray(many) ? many.filter((v): v is string => typeof v === 'string') : [])];
};
const linksToSpan = (s: ReadableSpan, spanId: string, traceId: string) => s.links.some((l) => l.context.spanId === spanId && l.context.traceId === traceId);

describe('tracing: one placeOrder followed over every async hop (in-memory span exporter)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp('e2etracing');
    const setup = await app.gql(`mutation { defineProduct(input: { sku: "MUG", name: "Mug", unitPrice: { amountMinor: 1250, currency: "EUR" } }) { id } }`, {}, tokens.staff);
    expect(setup.errors).toBeUndefined();
  });
  afterAll(async () => {
    await app?.stop();
    await provider.shutdown();
    trace.disable();
  });

  it('mutation → append → relay publish → projector apply → subscription push: five spans sharing one correlation id, linked by the event traceparent', async () => {
    const customer = 'tracer';
    const live = subscribe<{ customerOrdersChanged: { order: { id: string } } }>(app.ws(tokens.customer(customer)), CHANGED, { c: customer });
    // The subscription's registration is not acknowledged: place orders (one correlation id each) until one is pushed.
    const sent = new Map<string, string>(); // order id → correlation id
    const pushed = await eventually(async () => {
      const correlationId = `trace-test-${sent.size + 1}`;
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.customer(customer)}`, 'x-correlation-id': correlationId },
        body: JSON.stringify({ query: PLACE, variables: { input: { customerId: customer, lines: [{ sku: 'MUG', quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa' } } }),
      });
      const body = (await res.json()) as { data?: { placeOrder: { id: string } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      sent.set(body.data!.placeOrder.id, correlationId);
      await new Promise((r) => setTimeout(r, 1000));
      return live.items.map((i) => i.customerOrdersChanged.order.id).find((id) => sent.has(id));
    }, 40_000);
    live.stop();
    const correlationId = sent.get(pushed)!;

    const spansOf = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name && correlationIdsOf(s).includes(correlationId));
    // The push span ends after the sockets got the message; the others ended before it.
    await eventually(async () => spansOf('subscription.push').length > 0, 10_000);

    const [mutation, ...moreMutations] = spansOf('graphql.mutation placeOrder');
    expect(mutation, 'mutation span').toBeDefined();
    expect(moreMutations).toEqual([]);
    const traceId = mutation!.spanContext().traceId;

    const append = spansOf('eventStore.append').find((s) => s.parentSpanContext?.spanId === mutation!.spanContext().spanId);
    expect(append, 'append span, child of the mutation span').toBeDefined();
    expect(append!.spanContext().traceId).toBe(traceId);
    const appendId = append!.spanContext().spanId;

    // The stored event carries the append span as its traceparent: that is what the async hops link to.
    const { rows } = await app.pool.query<{ traceparent: string; correlation_id: string }>(
      'select traceparent, correlation_id from events where stream_id = $1 order by stream_version limit 1', [`order-${pushed}`]);
    expect(rows[0]).toEqual({ traceparent: `00-${traceId}-${appendId}-01`, correlation_id: correlationId });

    const publish = spansOf('relay.publish').find((s) => linksToSpan(s, appendId, traceId));
    expect(publish, 'relay publish span linked to the append').toBeDefined();
    const apply = spansOf('projector.apply').find((s) => s.attributes['orderflow.projection'] === 'orders_by_customer' && linksToSpan(s, appendId, traceId));
    expect(apply, 'projector apply span (orders_by_customer) linked to the append').toBeDefined();
    const push = spansOf('subscription.push').find((s) => s.attributes['orderflow.projection'] === 'orders_by_customer' && linksToSpan(s, appendId, traceId));
    expect(push, 'subscription push span linked to the append').toBeDefined();
    expect(push!.attributes['orderflow.subscription.sockets']).toBeGreaterThanOrEqual(1);

    // In order in time: each hop starts after the one before it began.
    const starts = [mutation!, append!, publish!, apply!, push!].map((s) => s.startTime[0] * 1e9 + s.startTime[1]);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });
});
