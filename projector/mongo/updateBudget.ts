/**
 * A process-wide budget of single-document update statements in flight against the view store.
 *
 * FerretDB 1.x holds one Postgres connection per MATCHING `updateOne`/`replaceOne` statement until
 * the `update` command that carries it ends, out of a pool of 50 shared by every client: past that
 * the server waits forever for a connection. Bulks are cut into small commands
 * ({@link MAX_UPDATES_PER_COMMAND}) and this budget caps what one process has in flight at once
 * ({@link UPDATE_BUDGET}), so the projector and a rebuild running side by side stay below the pool.
 */
export const MAX_UPDATES_PER_COMMAND = 8;

/** Single-document update statements one process may have in flight. */
export const UPDATE_BUDGET = 24;

let available = UPDATE_BUDGET;
const waiters: { n: number; resolve: () => void }[] = [];

function drain(): void {
  while (waiters.length > 0 && (waiters[0]?.n ?? 0) <= available) {
    const w = waiters.shift();
    if (!w) return;
    available -= w.n;
    w.resolve();
  }
}

/** Runs `fn` once `n` statements of budget are free (FIFO), and gives them back afterwards. */
export async function withUpdateBudget<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const need = Math.min(Math.max(n, 0), UPDATE_BUDGET);
  if (need > 0) {
    if (waiters.length === 0 && available >= need) available -= need;
    else await new Promise<void>((resolve) => waiters.push({ n: need, resolve }));
  }
  try {
    return await fn();
  } finally {
    available += need;
    drain();
  }
}
