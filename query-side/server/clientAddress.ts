import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address. With `trustedHops` = 0 it is the socket's peer. Behind `trustedHops` proxies
 * that each append the address they received from to `X-Forwarded-For`, it is the entry that many
 * places from the right: everything further left was written by the client and proves nothing. When
 * the header has fewer entries than that (a request that bypassed a proxy), or the entry is not an
 * IP address, the peer address is used, which never lets a forged header pick someone else's budget.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedHops: number): string {
  const peer = normalise(req.socket.remoteAddress ?? 'unknown');
  if (trustedHops === 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  const entry = entries[entries.length - trustedHops];
  return entry !== undefined && isIP(normalise(entry)) !== 0 ? normalise(entry) : peer;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
