import type { SoakReport } from './types.ts';

/**
 * The soak's checks, each with the line that states it: ran to the end; placeOrder accepted and
 * failed only with RATE_LIMITED; every subscriber opened; messages delivered and every accepted order
 * reached every subscriber of its customer; every process's heap after GC within the tolerance of
 * its warm-up figure, never restarted; end-to-end lag not growing; nothing left running. Pure.
 */
export function soakChecks(r: Omit<SoakReport, 'passed'>): [boolean, string][] {
  const failed = Object.entries(r.load.failedByCode).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  return [
    [r.error === undefined, `ran to the end${r.error ? `: ${r.error.split('\n')[0] ?? ''}` : ''}`],
    [r.load.accepted > 0 && Object.keys(r.load.failedByCode).every((c) => c === 'RATE_LIMITED'), `placeOrder: ${r.load.accepted} accepted of ${r.load.sent} sent; failed by code: ${failed}`],
    [r.samples.length >= 2 && r.processes.length > 0, `${r.samples.length} samples of ${r.processes.length} processes, every ${r.intervalS} s, warm-up ${r.warmupS} s`],
    [r.subscribersFailed === 0, `subscribers: ${r.subscribersOpen} open, ${r.subscribersFailed} failed`],
    [r.deliveries > 0 && r.undelivered === 0, `deliveries: ${r.deliveries}; accepted orders that missed a subscriber of their customer: ${r.undelivered}`],
    ...r.processes.map((p): [boolean, string] => [p.ok, `${p.name}: heap after GC ${String(p.warmupHeapMiB)} → ${String(p.endHeapMiB)} MiB (${String(p.growthPercent)}%, tolerance ${r.heapTolerancePercent}%), RSS ${String(p.warmupRssMiB)} → ${String(p.endRssMiB)} MiB, pids ${p.pids.join(',')}, missing samples ${p.missingSamples}`]),
    [!r.lag.growing, `end-to-end lag p50: first third ${String(r.lag.firstThirdP50Ms)} ms, last third ${String(r.lag.lastThirdP50Ms)} ms (allowance ${r.lag.allowanceMs} ms), slope ${String(r.lag.slopeMsPerMin)} ms/min, silent intervals ${r.lag.silentIntervals}, over ${r.lag.intervals} intervals after warm-up (subscriber fleet's own event-loop delay ≤ ${String(r.lag.fleetLoopDelayMaxMs)} ms)`],
    [r.processesLeft.length === 0 && r.topologyExitCode === 0, `processes left: ${r.processesLeft.length}; topology exit code ${String(r.topologyExitCode)}`],
  ];
}

