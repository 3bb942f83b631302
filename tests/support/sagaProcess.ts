/**
 * Entry of a saga worker running as its own process, for crash tests:
 * `node --import tsx tests/support/sagaProcess.ts`. It runs the real `saga` role configured from
 * the environment (DATABASE_URL, KAFKA_BROKERS, ORDERFLOW_TOPIC_PREFIX, SAGA_TIMEOUT_MS,
 * SAGA_SESSION_TIMEOUT_MS, PAYMENT_GATEWAY, …) until it is signalled or killed, logging JSON lines
 * to stdout (`"msg":"saga worker joined"` once it consumes).
 */
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { sagaRole } from '../../ops/roles/saga.ts';
import { runRoles } from '../../ops/run.ts';

const config = loadConfig();
const logger = createLogger(config);
process.exit(await runRoles([sagaRole], { config, logger }, { shutdownTimeoutMs: 10_000 }));
