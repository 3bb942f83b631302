import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import pino from 'pino';
import { startApp, tokens, type TestApp } from '../../tests/support/app.ts';
import type { Principal } from '../../query-side/auth/principal.ts';
import type { AppContext, AppServices } from '../../query-side/appContext.ts';
import { requestContextFactory } from '../../query-side/requestContext.ts';
import { databaseName } from '../../ops/database.ts';
import { dropDatabase } from './db.ts';
import { BENCH_SKUS } from './fixtures.ts';
import { deleteTopicsWithPrefix } from './kafka.ts';

/** A logger that writes nothing (benchmarks measure the code, not log I/O at error level). */
export const quietLogger = pino({ level: 'silent' });

/** GraphQL documents the scenarios send. */
export const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id streamVersion consistencyToken applied } }`;
export const ORDER_BY_ID = `query($id: ID!) { order(id: $id) { id status customerId total { amountMinor currency } lines { sku quantity unitPrice { amountMinor } lineTotal { amountMinor } } statusHistory { status } } }`;

/**
 * The whole app in this process (relay, projectors, GraphQL HTTP + WebSocket) on isolated resources,
 * with the rate limit raised out of the way: the bench measures throughput, not the limiter.
 */
export async function startBenchApp(tag: string): Promise<TestApp> {
  const app = await startApp(tag, undefined, { ORDERFLOW_RATE_LIMIT_PER_MINUTE: '100000000' });
  const define = await app.gql(
    `mutation { ${BENCH_SKUS.map((sku, i) => `d${i}: defineProduct(input: { sku: "${sku}", name: "${sku}", unitPrice: { amountMinor: ${1000 + i * 250}, currency: "EUR" } }) { id }`).join(' ')} }`,
    {},
    tokens.staff,
  );
  if (define.errors) throw new Error(`seeding the catalogue failed: ${JSON.stringify(define.errors)}`);
  // startApp leaves its Postgres database and Kafka topics behind (tests are small); bench ones are not.
  const stop = app.stop.bind(app);
  return {
    ...app,
    async stop() {
      await stop();
      await deleteTopicsWithPrefix(app.config.kafka.topicPrefix);
      await dropDatabase(databaseName(app.config.postgres.url));
    },
  };
}

/** A context factory over `services` for in-process `execute` (what each HTTP request gets). */
export function inProcessContext(services: AppServices): (principal: Principal) => AppContext {
  const factory = requestContextFactory(services);
  const req = new IncomingMessage(new Socket());
  return (principal) => factory(principal, req, { correlationId: randomUUID(), logger: quietLogger, transport: 'http' });
}
