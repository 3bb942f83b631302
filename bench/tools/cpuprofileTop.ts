/**
 * `tsx bench/tools/cpuprofileTop.ts <file.cpuprofile> [topN]`: the hottest functions (self time) and
 * the share of each package / project folder, from a V8 CPU profile written by `node --cpu-prof`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Profile = z.object({
  nodes: z.array(z.object({
    id: z.number(),
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    children: z.array(z.number()).optional(),
  })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Where a script lives: a package name, a project folder, node internals, or V8's own buckets. */
export function bucketOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] ?? 'node_modules';
  if (url.startsWith('node:')) return 'node:internal';
  const proj = /\/work\/(?:main|wt\/[^/]+)\/([^/]+(?:\/[^/]+)?)\//.exec(url);
  return proj ? (proj[1] ?? url) : url;
}

function main(): void {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofileTop.ts <file.cpuprofile> [topN]');
  const p = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const bucket = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\/\/work\/(?:main|wt\/[^/]+)\//, '')}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const b = bucketOf(url, functionName);
    bucket.set(b, (bucket.get(b) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log('\nself time by package / folder:');
  for (const [k, us] of [...bucket].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(us)}  ${k}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`${pct(us)}  ${k}`);
}

main();
