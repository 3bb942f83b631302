import { spawnRole, type RoleProcess } from './roleProcess.ts';

/** A saga worker process started by a test. */
export type ChildSaga = RoleProcess;

/** Options of {@link spawnSaga}. */
export interface ChildSagaOptions {
  databaseUrl: string;
  topicPrefix: string;
  /** Extra environment (SAGA_TIMEOUT_MS, …). */
  env?: Record<string, string>;
}

/** Starts `orderflow saga` with the saga role's settings in its environment; ready once it joined its group. */
export function spawnSaga(opts: ChildSagaOptions): ChildSaga {
  return spawnRole({
    args: ['saga'],
    // Loads the saga role only (not the whole CLI): restarts stay quick on a busy machine.
    node: ['--import', 'tsx', 'tests/support/sagaProcess.ts'],
    databaseUrl: opts.databaseUrl,
    topicPrefix: opts.topicPrefix,
    readyLine: 'saga worker joined',
    env: { KAFKA_CLIENT_ID: 'crash-test', PAYMENT_GATEWAY: 'sandbox', SAGA_SESSION_TIMEOUT_MS: '6000', SAGA_SWEEP_INTERVAL_MS: '250', ...opts.env },
  });
}
