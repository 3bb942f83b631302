import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCodec } from './codec.ts';

const K1 = { keyId: 'k1', key: 'a'.repeat(32) };
const K2 = { keyId: 'k2', key: 'b'.repeat(32) };
const POSITION = '812.40021';

/** Signs `payload` the way a holder of `key` would (to forge tokens under keys the server does not trust). */
function signAs(key: { keyId: string; key: string }, payload: string): string {
  const signed = `v2.${key.keyId}.${payload}`;
  return `${signed}.${createHmac('sha256', key.key).update(signed).digest('base64url')}`;
}
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('consistency token codec (HMAC-SHA256, key ids for rotation)', () => {
  const codec = createTokenCodec({ signing: K1 });

  it('round-trips a mutation token and a watermark vector', () => {
    const t = codec.stream('order-o1', POSITION);
    expect(t).toMatch(/^v2\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(codec.verify(t)).toEqual({ ok: true, keyId: 'k1', token: { kind: 'stream', streamId: 'order-o1', family: 'orders', position: POSITION } });
    const v = codec.vector({ 'orders.events:0': POSITION, 'orders.events:5': '9.9' });
    expect(codec.verify(v)).toEqual({ ok: true, keyId: 'k1', token: { kind: 'vector', positions: { 'orders.events:0': POSITION, 'orders.events:5': '9.9' } } });
  });

  it('keeps the payload readable (clients compare positions) but not forgeable', () => {
    const payload = codec.stream('order-o1', POSITION).split('.')[2] ?? '';
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({ s: 'order-o1', p: POSITION });
  });

  it('refuses a tampered payload, a changed signature and a token signed with an unknown key', () => {
    const [v, kid, , sig] = codec.stream('order-o1', POSITION).split('.');
    const later = b64({ s: 'order-o1', p: '99999999.1' });
    expect(codec.verify(`${v}.${kid}.${later}.${sig}`)).toEqual({ ok: false, reason: 'bad-signature' });
    const t = codec.stream('order-o1', POSITION);
    const at = t.length - 10; // a character inside the signature
    const flipped = `${t.slice(0, at)}${t[at] === 'A' ? 'B' : 'A'}${t.slice(at + 1)}`;
    expect(codec.verify(flipped)).toEqual({ ok: false, reason: 'bad-signature' });
    // The last character carries 2 unused bits: a variant that decodes to the same bytes is refused too.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alias = `${t.slice(0, -1)}${alphabet[alphabet.indexOf(t.at(-1) ?? 'A') ^ 1]}`;
    expect(Buffer.from(alias.split('.')[3] ?? '', 'base64url')).toEqual(Buffer.from(t.split('.')[3] ?? '', 'base64url'));
    expect(codec.verify(alias)).toEqual({ ok: false, reason: 'bad-signature' });
    // Same key id, another key: what an attacker who guessed the format gets.
    expect(codec.verify(signAs({ keyId: 'k1', key: 'x'.repeat(32) }, b64({ s: 'order-o1', p: POSITION })))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(codec.verify(signAs({ keyId: 'k9', key: 'x'.repeat(32) }, b64({ s: 'order-o1', p: POSITION })))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuses unsigned v1 tokens, garbage and oversized input before parsing anything', () => {
    expect(codec.verify(b64({ v: 1, s: 'order-o1', p: POSITION }))).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.verify('')).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.verify('v2.k1.e30')).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.verify(`v2.k1.${'A'.repeat(5000)}.${'A'.repeat(43)}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed payload that names no known stream or valid positions', () => {
    expect(codec.verify(signAs(K1, b64({ s: 'nothing-x', p: POSITION })))).toEqual({ ok: false, reason: 'invalid-payload' });
    expect(codec.verify(signAs(K1, b64({ s: 'order-o1', p: 'soon' })))).toEqual({ ok: false, reason: 'invalid-payload' });
    expect(codec.verify(signAs(K1, b64({ w: { 'orders.events:0': 7 } })))).toEqual({ ok: false, reason: 'invalid-payload' });
    expect(codec.verify(signAs(K1, 'not-json'))).toEqual({ ok: false, reason: 'invalid-payload' });
  });

  it('rotates: the new key signs, the previous key still verifies, a dropped key no longer does', () => {
    const before = createTokenCodec({ signing: K1 });
    const old = before.stream('order-o1', POSITION);
    const during = createTokenCodec({ signing: K2, previous: [K1] });
    expect(during.verify(old)).toMatchObject({ ok: true, keyId: 'k1' });
    const fresh = during.stream('order-o1', POSITION);
    expect(fresh.split('.')[1]).toBe('k2');
    expect(before.verify(fresh)).toEqual({ ok: false, reason: 'unknown-key' });
    const after = createTokenCodec({ signing: K2 });
    expect(after.verify(old)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(after.verify(fresh)).toMatchObject({ ok: true, keyId: 'k2' });
  });

  it('two processes with the same key accept each other\'s tokens (serve replicas)', () => {
    const a = createTokenCodec({ signing: { ...K1 } });
    const b = createTokenCodec({ signing: { ...K1 } });
    expect(b.verify(a.vector({}))).toMatchObject({ ok: true });
  });
});
