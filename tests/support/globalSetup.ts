import { loadStackConfig, stackDown, stackUp, StackError, type StackConfig } from '../../stack/stack.ts';
import type { StackStarted } from '../../stack/stack.ts';
import { chromiumUp } from '../../stack/chromium.ts';

let started: StackStarted | undefined;
let cfg: StackConfig | undefined;

/** Starts whatever part of the real stack is not running; test files then isolate by database, topic prefix and group id. */
export async function setup(): Promise<void> {
  // Each vitest project runs the global setup; the stack is brought up once per run.
  if (cfg) return;
  cfg = loadStackConfig();
  try {
    started = await stackUp(cfg);
    chromiumUp(); // for the page tests (tests/e2e/*.browser.e2e.test.ts); a no-op once installed
  } catch (err) {
    if (err instanceof StackError) throw new Error(err.line());
    throw err;
  }
}

/** Stops only the services this run started, leaving a developer's running stack alone. */
export async function teardown(): Promise<void> {
  const toStop = started;
  started = undefined; // each project's teardown calls this; stop once
  if (cfg && toStop && process.env.ORDERFLOW_KEEP_STACK !== '1') await stackDown(cfg, toStop);
}
