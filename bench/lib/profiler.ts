import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * With `BENCH_PROFILE=<dir>`, records a V8 CPU profile of this process for exactly the measured
 * window `fn` (not the setup around it) into `<dir>/<name>.cpuprofile`; otherwise just runs `fn`.
 * Read it with `tsx bench/tools/cpuprofileTop.ts <file>` or Chrome DevTools.
 */
export async function profileWindow<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
