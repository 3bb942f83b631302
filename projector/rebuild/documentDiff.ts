import type { Document } from 'mongodb';
import { canonicalJson } from './canonicalJson.ts';

/** One place where two versions of a compared document differ: a field path and its value on each side. */
export interface FieldDifference {
  /** Dotted path; array elements that carry a string `id` are named by it (`items[id=o-7]`), others by index. */
  path: string;
  /** Canonical JSON on side A / side B (clipped); absent when that side has no value there. */
  a?: string;
  b?: string;
}

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Elements keyed by a string `id` when every one has one (a ranked list), else by index. */
function keyed(list: readonly unknown[]): Map<string, unknown> {
  const byId = list.every((x) => isObject(x) && typeof x['id'] === 'string');
  return new Map(list.map((x, i) => [byId ? `id=${String((x as { id: string }).id)}` : String(i), x]));
}

/**
 * Where documents `a` and `b` differ (either may be missing), field by field and into nested objects
 * and arrays, leaving out `ignore`d top-level fields: at most `max` differences, values clipped to
 * `width` characters. What an operator needs to see *how* a view differs from a replay. Pure.
 */
export function documentDiff(a: Document | undefined, b: Document | undefined, opts: { ignore?: readonly string[]; max?: number; width?: number } = {}): FieldDifference[] {
  const max = opts.max ?? 6;
  const width = opts.width ?? 160;
  const out: FieldDifference[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (out.length >= max) return;
    if (x !== undefined && y !== undefined && canonicalJson(x) === canonicalJson(y)) return;
    if (isObject(x) && isObject(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        if (path === '' && opts.ignore?.includes(k)) continue;
        walk(x[k], y[k], path === '' ? k : `${path}.${k}`);
      }
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const kx = keyed(x);
      const ky = keyed(y);
      for (const k of [...new Set([...kx.keys(), ...ky.keys()])]) walk(kx.get(k), ky.get(k), `${path}[${k}]`);
      return;
    }
    out.push({ path, ...(x !== undefined && { a: clip(canonicalJson(x), width) }), ...(y !== undefined && { b: clip(canonicalJson(y), width) }) });
  };
  walk(a, b, '');
  return out;
}

/** One line per difference: `path: A → B` (`—` for a missing side). */
export function formatDiff(diffs: readonly FieldDifference[], labels: { a: string; b: string } = { a: 'A', b: 'B' }): string[] {
  return diffs.map((d) => `${d.path || '(document)'}: ${labels.a} ${d.a ?? '—'} | ${labels.b} ${d.b ?? '—'}`);
}
