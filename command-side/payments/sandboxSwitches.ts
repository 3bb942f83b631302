import { GatewayUnavailableError, type CallOptions } from './gateway.ts';
import { waitOrAbort } from './sandboxRules.ts';

/** Calls that reached a sandbox (retries count; calls failed fast by a breaker do not). */
export type CallCounts = Record<'authorise' | 'capture' | 'void' | 'refund', number>;

/** A sandbox's test switches: simulated latency, outages and transient blips, and call counts. */
export interface SandboxSwitches {
  /**
   * Counts the call, waits the latency, then throws when an outage or a blip is on.
   * @throws GatewayUnavailableError during an outage or for the next `failNext` calls; the
   * signal's reason when it aborts.
   */
  enter(op: keyof CallCounts, opts: CallOptions | undefined): Promise<void>;
  setOutage(on: boolean): void;
  failNext(n: number): void;
  calls(): CallCounts;
}

/** Per-process switches (an outage is simulated in the process that calls the sandbox). */
export function createSandboxSwitches(latencyMs: number): SandboxSwitches {
  const counts: CallCounts = { authorise: 0, capture: 0, void: 0, refund: 0 };
  let outage = false;
  let failures = 0;
  return {
    async enter(op, opts) {
      counts[op] += 1;
      if (opts?.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      if (latencyMs > 0) await waitOrAbort(latencyMs, opts?.signal);
      if (outage) throw new GatewayUnavailableError('sandbox outage');
      if (failures > 0) {
        failures -= 1;
        throw new GatewayUnavailableError('sandbox transient failure');
      }
    },
    setOutage(on) {
      outage = on;
    },
    failNext(n) {
      failures = Math.max(0, Math.trunc(n));
    },
    calls: () => ({ ...counts }),
  };
}
