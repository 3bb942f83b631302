import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { z } from 'zod';

const require = createRequire(import.meta.url);

const Result = z.object({
  duration: z.number(),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  '2xx': z.number(),
  latency: z.object({ average: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), max: z.number(), min: z.number(), totalCount: z.number() }),
  requests: z.object({ total: z.number(), sent: z.number() }),
  statusCodeStats: z.record(z.string(), z.object({ count: z.number() })).optional(),
});

/** What one autocannon run measured (latencies in ms, autocannon's 1 ms resolution). */
export interface HttpLoadResult {
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  /** 2xx responses per second. */
  rate: number;
  latency: { count: number; min: number; mean: number; p50: number; p90: number; p99: number; max: number };
  statusCodes: Record<string, number>;
  /** CPU seconds (user + system, all threads) the autocannon process burnt, warm-up included. */
  cpuSeconds: number | undefined;
}

const CPU_MARK = 'autocannon-cpu-us ';
/** Preloaded into autocannon's process: reports its own CPU use on stderr as it exits (pipes are synchronous on Linux). */
const REPORT_CPU = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\n${CPU_MARK}'+(u.user+u.system)+'\\n')})`;

/**
 * Runs autocannon as a separate process (so the load generator does not share the server's event
 * loop) against `url`, POSTing `body` as JSON on `connections` keep-alive connections for
 * `durationSeconds`, and parses its JSON output and the CPU the process burnt (so a report can show the
 * split between the load generator and the server).
 */
export async function autocannon(opts: { url: string; body: string; headers: Record<string, string>; connections: number; durationSeconds: number; warmupSeconds?: number }): Promise<HttpLoadResult> {
  const bin = require.resolve('autocannon/autocannon.js');
  const args = [`--import=${REPORT_CPU}`, bin, '-c', String(opts.connections), '-d', String(opts.durationSeconds), '-m', 'POST', '-j', '-n', '-b', opts.body, '-H', 'content-type=application/json'];
  for (const [k, v] of Object.entries(opts.headers)) args.push('-H', `${k}=${v}`);
  if (opts.warmupSeconds) args.push('--warmup', '[', '-c', String(opts.connections), '-d', String(opts.warmupSeconds), ']');
  args.push(opts.url);
  const { stdout: out, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`autocannon exited ${code}: ${stderr.slice(0, 500)}`))));
  });
  // With --warmup autocannon prints the warm-up's result first: the measured run is the last line.
  const json = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? '';
  const r = Result.parse(JSON.parse(json));
  const cpuLine = stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
  return {
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationSeconds: r.duration,
    rate: r.duration > 0 ? r['2xx'] / r.duration : 0,
    latency: { count: r.latency.totalCount, min: r.latency.min, mean: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    statusCodes,
    cpuSeconds: cpuLine === undefined ? undefined : Number(cpuLine.slice(CPU_MARK.length)) / 1e6,
  };
}
