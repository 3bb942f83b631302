/** A process of the topology and where its `/readyz` answers. */
export interface ReadyTarget {
  name: string;
  opsPort: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when the process's `/readyz` answers 200 within `timeoutMs`. */
export function isReady(port: number, timeoutMs = 10_000): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.status === 200, () => false);
}

/**
 * Polls every target's `/readyz` (each 500 ms until it first answers 200) and resolves with the
 * time each one took to become ready, from `since`, by name: the startup timeline of the run's JSON.
 * @throws Error naming the processes not ready within `boundMs`, with `context()` appended.
 */
export async function readyTimeline(targets: readonly ReadyTarget[], since: number, boundMs: number, context: () => string): Promise<Record<string, number>> {
  const readyMs: Record<string, number> = {};
  const deadline = since + boundMs;
  for (;;) {
    const waiting = targets.filter((t) => readyMs[t.name] === undefined);
    if (waiting.length === 0) return readyMs;
    if (Date.now() > deadline) throw new Error(`not ready within ${Math.round(boundMs / 1000)} s: ${waiting.map((t) => t.name).join(', ')}\n${context()}`);
    await Promise.all(waiting.map(async (t) => {
      if (await isReady(t.opsPort, 5_000)) readyMs[t.name] = Date.now() - since;
    }));
    await sleep(500);
  }
}
