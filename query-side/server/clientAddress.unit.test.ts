import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './clientAddress.ts';

const req = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('clientAddress: whose budget a request spends', () => {
  it('with no trusted proxy, is the peer, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(req('10.0.0.5', '1.2.3.4'), 0)).toBe('10.0.0.5');
    expect(clientAddress(req('::ffff:10.0.0.5'), 0)).toBe('10.0.0.5');
  });

  it('behind N proxies, is the entry N hops from the right (what the first trusted proxy saw)', () => {
    expect(clientAddress(req('172.18.0.9', '203.0.113.7'), 1)).toBe('203.0.113.7');
    // The client prepended forged entries: only the rightmost one was written by our proxy.
    expect(clientAddress(req('172.18.0.9', '6.6.6.6, 7.7.7.7, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('172.18.0.9', ['6.6.6.6, 203.0.113.7', '172.18.0.2']), 2)).toBe('203.0.113.7');
    expect(clientAddress(req('172.18.0.9', '2001:db8::1'), 1)).toBe('2001:db8::1');
  });

  it('falls back to the peer when the header is missing, too short or not an address', () => {
    expect(clientAddress(req('10.0.0.5'), 1)).toBe('10.0.0.5');
    expect(clientAddress(req('10.0.0.5', '203.0.113.7'), 2)).toBe('10.0.0.5');
    expect(clientAddress(req('10.0.0.5', 'sub:alice'), 1)).toBe('10.0.0.5');
    expect(clientAddress(req('10.0.0.5', ' , '), 1)).toBe('10.0.0.5');
  });
});
