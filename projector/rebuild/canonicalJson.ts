/**
 * Canonical JSON: object keys sorted at every depth (the store does not promise field order),
 * dates as ISO strings, other values as JSON. Two documents with the same content give the same text.
 */
export function canonicalJson(value: unknown, ignore: readonly string[] = []): string {
  const walk = (v: unknown, top: boolean): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (typeof v === 'object' && v !== null) {
      if (typeof (v as { toHexString?: unknown }).toHexString === 'function') return String((v as { toHexString(): string }).toHexString());
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (top && ignore.includes(k)) continue;
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = walk(x, false);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(walk(value, true));
}
