import { z } from 'zod';
import { ConfigError, parseEnv, type AppEnv } from '../platform/index.ts';

/** Which payment gateway the saga role talks to. */
export type PaymentGatewayKind = 'sandbox' | 'sandbox-memory';

/** Settings of the `saga` role, read from the environment by {@link loadSagaConfig}. */
export interface SagaConfig {
  /** How long a placed order may wait for stock and payment before it is rejected (SAGA_TIMEOUT_MS). */
  timeoutMs: number;
  /** Pause between durable-timeout sweeps that found nothing (SAGA_SWEEP_INTERVAL_MS). */
  sweepIntervalMs: number;
  /**
   * Kafka session timeout of the saga's consumer (SAGA_SESSION_TIMEOUT_MS): how long a crashed
   * worker's partitions wait before moving to a live one. The broker's minimum is usually 6000.
   */
  sessionTimeoutMs: number;
  /** Time allowed per gateway call attempt (PAYMENT_GATEWAY_TIMEOUT_MS). */
  gatewayTimeoutMs: number;
  /** Consecutive failed gateway attempts that open the circuit (PAYMENT_BREAKER_THRESHOLD). */
  breakerThreshold: number;
  /** How long the circuit stays open before a trial call (PAYMENT_BREAKER_HALF_OPEN_MS). */
  breakerHalfOpenMs: number;
  /**
   * PAYMENT_GATEWAY: `sandbox` (the test-mode provider with its memory in Postgres, so a
   * restarted or second saga process sees earlier charges) or `sandbox-memory` (in-process; its
   * holds are forgotten on restart: single-process experiments only).
   */
  gateway: PaymentGatewayKind;
  /** Simulated latency of each sandbox call (PAYMENT_SANDBOX_LATENCY_MS), for local runs and crash tests. */
  sandboxLatencyMs: number;
  /** Messages of one partition the saga handles at once, one order's in order (SAGA_IN_FLIGHT_PER_PARTITION; 1 = strictly in order). */
  inFlightPerPartition: number;
  /** Saga consumer group members in this process, each with its own fetch loop (SAGA_CONSUMERS). */
  consumers: number;
}

const ms = (what: string) => z.coerce.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });

const schema = z.object({
  SAGA_TIMEOUT_MS: ms('a positive number of milliseconds').default(30_000),
  SAGA_SWEEP_INTERVAL_MS: ms('a positive number of milliseconds').default(1000),
  SAGA_SESSION_TIMEOUT_MS: ms('a positive number of milliseconds').default(10_000),
  SAGA_IN_FLIGHT_PER_PARTITION: ms('a positive integer').default(16),
  SAGA_CONSUMERS: ms('a positive integer').default(1),
  PAYMENT_GATEWAY_TIMEOUT_MS: ms('a positive number of milliseconds').default(2000),
  PAYMENT_BREAKER_THRESHOLD: ms('a positive integer').default(5),
  PAYMENT_BREAKER_HALF_OPEN_MS: ms('a positive number of milliseconds').default(10_000),
  PAYMENT_SANDBOX_LATENCY_MS: z.coerce.number({ error: 'expected a non-negative number of milliseconds' }).int().min(0, { error: 'expected a non-negative number of milliseconds' }).default(0),
  PAYMENT_GATEWAY: z.enum(['sandbox', 'sandbox-memory'], { error: 'expected sandbox or sandbox-memory' }).default('sandbox'),
  ORDERFLOW_ALLOW_SANDBOX_PAYMENTS: z.enum(['yes', 'no'], { error: 'expected yes or no' }).default('no'),
});

/**
 * Reads the saga role's settings. Empty variables count as unset. In production the sandbox
 * gateways (which approve test card tokens and charge nobody) are refused unless
 * `ORDERFLOW_ALLOW_SANDBOX_PAYMENTS=yes` says this is a demo deployment on purpose.
 * @throws ConfigError naming the first bad variable.
 */
export function loadSagaConfig(appEnv: AppEnv, env: NodeJS.ProcessEnv = process.env): SagaConfig {
  const c = parseEnv(schema, env);
  if (appEnv === 'production' && c.ORDERFLOW_ALLOW_SANDBOX_PAYMENTS !== 'yes') {
    throw new ConfigError('PAYMENT_GATEWAY', `invalid PAYMENT_GATEWAY: the ${c.PAYMENT_GATEWAY} gateway is refused in production (set ORDERFLOW_ALLOW_SANDBOX_PAYMENTS=yes only for a demo deployment)`);
  }
  return {
    timeoutMs: c.SAGA_TIMEOUT_MS,
    sweepIntervalMs: c.SAGA_SWEEP_INTERVAL_MS,
    sessionTimeoutMs: c.SAGA_SESSION_TIMEOUT_MS,
    gatewayTimeoutMs: c.PAYMENT_GATEWAY_TIMEOUT_MS,
    breakerThreshold: c.PAYMENT_BREAKER_THRESHOLD,
    breakerHalfOpenMs: c.PAYMENT_BREAKER_HALF_OPEN_MS,
    gateway: c.PAYMENT_GATEWAY,
    sandboxLatencyMs: c.PAYMENT_SANDBOX_LATENCY_MS,
    inFlightPerPartition: c.SAGA_IN_FLIGHT_PER_PARTITION,
    consumers: c.SAGA_CONSUMERS,
  };
}
