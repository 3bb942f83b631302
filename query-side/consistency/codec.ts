import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../../platform/index.ts';
import { decodePayload, encodePayload, type ConsistencyToken, type TokenBody } from './token.ts';

/** Why a token was refused: no form of ours, a key id we do not hold, a signature that does not match, or a payload that names nothing. */
export type TokenRefusal = 'malformed' | 'unknown-key' | 'bad-signature' | 'invalid-payload';

/** Outcome of {@link TokenCodec.verify}. */
export type TokenCheck = { ok: true; token: ConsistencyToken; keyId: string } | { ok: false; reason: TokenRefusal };

/** Mints and verifies signed consistency tokens. */
export interface TokenCodec {
  /** A mutation's token: the stream it wrote and its last event's log position. */
  stream(streamId: string, position: string): string;
  /** A subscription message's token: a projection's watermark vector. */
  vector(positions: Record<string, string>): string;
  /** Checks the signature (current or a previous key) before the payload is even parsed. */
  verify(text: string): TokenCheck;
}

/** Longest token accepted: a vector over a few topics of many partitions stays well below it. */
const MAX_TOKEN_CHARS = 4096;
const VERSION = 'v2';
const FORM = /^v2\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

function mac(key: string, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/**
 * Tokens `v2.<kid>.<payload>.<mac>`: `payload` is base64url JSON (readable by clients, which compare
 * positions), `mac` the base64url HMAC-SHA256 of `v2.<kid>.<payload>` under the key named `kid`. New
 * tokens are signed with `signing`; `previous` keys still verify, so a rotation never breaks tokens
 * in flight (keep the old key listed for longer than a token is useful: minutes). Unsigned (v1)
 * tokens are refused: a client cannot make a read wait on positions it invented.
 */
export function createTokenCodec(opts: { signing: SigningKey; previous?: readonly SigningKey[] }): TokenCodec {
  const keys = new Map<string, string>([...(opts.previous ?? []).map((k) => [k.keyId, k.key] as const), [opts.signing.keyId, opts.signing.key]]);
  const sign = (token: TokenBody) => {
    const signed = `${VERSION}.${opts.signing.keyId}.${encodePayload(token)}`;
    return `${signed}.${mac(opts.signing.key, signed).toString('base64url')}`;
  };
  return {
    stream(streamId, position) {
      return sign({ kind: 'stream', streamId, position });
    },
    vector(positions) {
      return sign({ kind: 'vector', positions });
    },
    verify(text) {
      const m = text.length <= MAX_TOKEN_CHARS ? FORM.exec(text) : null;
      if (!m) return { ok: false, reason: 'malformed' };
      const [, keyId = '', payload = '', sig = ''] = m;
      const key = keys.get(keyId);
      if (key === undefined) return { ok: false, reason: 'unknown-key' };
      const expected = mac(key, `${VERSION}.${keyId}.${payload}`);
      const given = Buffer.from(sig, 'base64url');
      // The canonical re-encoding check refuses a last character whose unused low bits were changed.
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== sig) return { ok: false, reason: 'bad-signature' };
      const token = decodePayload(payload);
      return token ? { ok: true, token, keyId } : { ok: false, reason: 'invalid-payload' };
    },
  };
}
