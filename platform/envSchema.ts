import type { z } from 'zod';
import { ConfigError } from './config.ts';

/**
 * Parses the schema's variables from `env` (empty counts as unset).
 * @throws ConfigError naming the first bad variable, with its value unless `secret` lists it.
 */
export function parseEnv<S extends z.ZodObject>(s: S, env: NodeJS.ProcessEnv, secret: ReadonlySet<string> = new Set()): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(s.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = s.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'configuration');
  const raw = input[variable];
  const shown = raw === undefined || secret.has(variable) ? '' : ` (got ${JSON.stringify(raw.slice(0, 60))})`;
  throw new ConfigError(variable, `invalid ${variable}: ${(issue?.message ?? 'invalid value').replace(/\s+/g, ' ')}${shown}`);
}
