/** Warning and error log lines of the soaked processes, counted by message. */
export interface LogTally {
  /** Takes one output line (pino JSON or anything else). */
  line(line: string): void;
  /** By `<component> <msg>` (at most `maxKinds` kinds): how many, and the first one's error text. */
  tally(): Record<string, { count: number; first: string }>;
}

interface LogLine {
  level?: string;
  msg?: string;
  component?: string;
  err?: { message?: string; type?: string };
}

/** Levels counted (our pino logger writes level labels). */
const COUNTED = new Set(['warn', 'error', 'fatal']);

/** A {@link LogTally}; lines that are not JSON log lines are ignored. */
export function createLogTally(maxKinds = 50): LogTally {
  const kinds = new Map<string, { count: number; first: string }>();
  return {
    line(line) {
      if (!line.startsWith('{') || !/"level":"(warn|error|fatal)"/.test(line)) return;
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      if (!COUNTED.has(parsed.level ?? '')) return;
      const key = `${parsed.component ?? '-'} ${parsed.msg ?? '?'}`;
      const seen = kinds.get(key);
      if (seen) seen.count++;
      else if (kinds.size < maxKinds) kinds.set(key, { count: 1, first: `${parsed.err?.type ?? ''} ${parsed.err?.message ?? ''}`.trim().slice(0, 300) });
    },
    tally: () => Object.fromEntries(kinds),
  };
}
