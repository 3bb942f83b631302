import { familyOfStream, type EventFamily, isPositionText } from '../../contracts/index.ts';

/**
 * What a consistency token names:
 * - from a mutation: the stream it wrote and the log position of its last event;
 * - from a subscription message: the projection's watermark vector ("topic:partition" → position).
 * On the wire it is signed by the token codec (`codec.ts`); this module only (de)serialises it.
 */
export type ConsistencyToken =
  | { kind: 'stream'; streamId: string; family: EventFamily; position: string }
  | { kind: 'vector'; positions: Record<string, string> };

/** What a token is minted from (the stream's family is derived from its id again on decoding). */
export type TokenBody = { kind: 'stream'; streamId: string; position: string } | { kind: 'vector'; positions: Record<string, string> };

/** The token's payload as base64url JSON (`{s, p}` or `{w}`), the part a signature covers. */
export function encodePayload(token: TokenBody): string {
  const body = token.kind === 'stream' ? { s: token.streamId, p: token.position } : { w: token.positions };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** Decodes a payload; undefined for anything that does not name a known stream family or positions. */
export function decodePayload(text: string): ConsistencyToken | undefined {
  try {
    const raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { s?: unknown; p?: unknown; w?: unknown };
    if (typeof raw.s === 'string' && typeof raw.p === 'string' && isPositionText(raw.p)) {
      const family = familyOfStream(raw.s);
      return family ? { kind: 'stream', streamId: raw.s, family, position: raw.p } : undefined;
    }
    if (raw.w && typeof raw.w === 'object' && !Array.isArray(raw.w)) {
      const entries = Object.entries(raw.w as Record<string, unknown>);
      if (!entries.every(([tp, p]) => /^.+:\d{1,5}$/.test(tp) && typeof p === 'string' && isPositionText(p))) return undefined;
      return { kind: 'vector', positions: Object.fromEntries(entries) as Record<string, string> };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
