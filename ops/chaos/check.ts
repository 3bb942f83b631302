/** One check of the chaos run: one line on the console, and its details in the JSON. */
export interface CheckResult {
  name: string;
  passed: boolean;
  /** One-line summary (counts). */
  summary: string;
  /** More lines printed under the summary (what a failure found, e.g. which documents differ and how). */
  lines?: string[];
  details?: unknown;
}

/** Polls `attempt` until it passes or `timeoutMs` passes; returns the last result either way. */
export async function settle(attempt: () => Promise<CheckResult>, timeoutMs: number, everyMs = 2_000): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await attempt().catch((err: unknown): CheckResult => ({ name: 'check', passed: false, summary: `check failed to run: ${err instanceof Error ? err.message : String(err)}` }));
    if (r.passed || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, everyMs));
  }
}
