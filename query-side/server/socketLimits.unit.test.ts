import { describe, expect, it } from 'vitest';
import { createSocketLimits } from './socketLimits.ts';

describe('socket limits', () => {
  it('admits up to the cap per IP and per subject, and frees a slot on release', () => {
    const l = createSocketLimits({ perIp: 2, perSubject: 1 });
    expect([l.admitIp('a'), l.admitIp('a'), l.admitIp('a'), l.admitIp('b')]).toEqual([true, true, false, true]);
    l.releaseIp('a');
    expect(l.admitIp('a')).toBe(true);
    expect([l.admitSubject('s'), l.admitSubject('s')]).toEqual([true, false]);
    l.releaseSubject('s');
    expect(l.admitSubject('s')).toBe(true);
  });
});
