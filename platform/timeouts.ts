/**
 * Upper bounds of every store call, so a hung database turns into an error (and a retry) instead
 * of a request, a saga step or a relay batch that waits forever. Roles that serve people use the
 * short bounds; background roles (relay, projector, saga, notify, CLI) the longer ones, which still
 * fit the biggest batch they send.
 */
export const STORE_TIMEOUTS = {
  /** Postgres `statement_timeout` of the API's pool (one command's statements). */
  apiStatementMs: 10_000,
  /** Postgres `statement_timeout` of background pools and the relay's connection. */
  backgroundStatementMs: 30_000,
  /** Postgres `statement_timeout` of migrations (they wait on an advisory lock while another process migrates). */
  migrationStatementMs: 120_000,
  /** MongoDB `socketTimeoutMS` of the API (reads of views): an operation with no answer by then fails (driver 7 ignores `timeoutMS`). */
  apiMongoMs: 10_000,
  /** MongoDB `socketTimeoutMS` of the projector and CLI (bulk writes, rebuild comparisons). */
  backgroundMongoMs: 60_000,
} as const;
