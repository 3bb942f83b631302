import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A base port such that `base … base + count` were all free a moment ago on loopback (for a plan that
 * numbers its listeners from a base, as `planTopology` does). Tries random bases in 20000–59999.
 * @throws Error after 50 tries.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (40_000 - count));
    let free = true;
    for (let p = base; p <= base + count && free; p++) free = await isFree(p);
    if (free) return base;
  }
  throw new Error(`no run of ${count + 1} free ports found`);
}
