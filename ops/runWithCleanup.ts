import { pidAlive } from './chaos/topologyProcess.ts';

/** Options of {@link runWithCleanup}. */
export interface CleanupOptions {
  /** Names the run in its log lines (`chaos run`, `soak`). */
  what: string;
  log(line: string): void;
  work(): Promise<void>;
  /** Stops everything the work started. Runs once: after the work, after its failure, or on a signal. */
  cleanup(): Promise<void>;
  /** Pids the run started, checked a second after the cleanup. */
  started(): number[];
}

/** How a {@link runWithCleanup} run ended. */
export interface CleanedRun {
  /** The work's failure (its stack), or undefined when it finished. */
  error: string | undefined;
  /** Pids of {@link CleanupOptions.started} still alive after the cleanup. */
  left: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work`, then `cleanup`, also when the work throws and when the process gets SIGINT or
 * SIGTERM (then it exits 130 once the cleanup is done), and reports the pids left alive. Every
 * signal is handled, not only the first: `npm run` and `timeout` each pass a SIGTERM on, and a second
 * one under the default handler killed a run mid-cleanup, its engines left running. Never throws.
 */
export async function runWithCleanup(opts: CleanupOptions): Promise<CleanedRun> {
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= opts.cleanup().catch((err: unknown) => opts.log(`cleanup failed: ${String(err)}`)));
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) return opts.log(`${signal}: already stopping`);
    opts.log(`${signal}: stopping everything the ${opts.what} started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let error: string | undefined;
  try {
    await opts.work();
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    opts.log(`${opts.what} failed: ${error}`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // A killed child is reaped a moment after its kill: give it that before counting it as left.
  await sleep(1_000);
  return { error, left: opts.started().filter(pidAlive) };
}
