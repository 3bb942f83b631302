import { existsSync } from 'node:fs';
import { StackError } from './config.ts';
import { hasCommand, run } from './process.ts';

/** Debian's Chromium, driven by playwright-core (no browser build downloaded from elsewhere). */
export const chromiumPath = process.env.ORDERFLOW_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium that stays on loopback: no sandbox (containers, root), no GPU, no
 * QUIC, and none of the background traffic (updates, sync, first-run pings) a test must not depend on.
 */
export const chromiumArgs: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Installs Debian's `chromium` package when the browser is missing (as root, with apt-get), like the
 * other services of the stack; returns its path. Throws a StackError naming the fix otherwise.
 */
export function chromiumUp(): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    throw new StackError(`Chromium not found at ${chromiumPath}`, 'install it: sudo apt-get install -y chromium (or set ORDERFLOW_CHROMIUM to a Chromium binary)');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const fix = 'check network access to the Debian mirrors, then run the browser tests again';
  run('apt-get', ['update', '-q'], fix, { env });
  run('apt-get', ['install', '-y', '-q', 'chromium'], fix, { env });
  if (!existsSync(chromiumPath)) throw new StackError(`apt-get installed chromium but ${chromiumPath} is missing`, 'set ORDERFLOW_CHROMIUM to the Chromium binary');
  return chromiumPath;
}
