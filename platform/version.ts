import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The `version` of the project's package.json, read once at import. */
export const appVersion: string = (() => {
  const pkg: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
})();
