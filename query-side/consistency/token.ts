import { familyOfStream, type EventFamily, isPositionText } from '../../contracts/index.ts';

/**
 * A consistency token, opaque to clients (base64url JSON):
 * - from a mutation: the stream it wrote and the log position of its last event;
 * - from a subscription message: the projection's watermark vector ("topic:partition" → position).
 */
export type ConsistencyToken =
  | { kind: 'stream'; streamId: string; family: EventFamily; position: string }
  | { kind: 'vector'; positions: Record<string, string> };

/** Encodes a token for a mutation result. */
export function streamToken(streamId: string, position: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: streamId, p: position })).toString('base64url');
}

/** Encodes a watermark vector for a subscription message. */
export function vectorToken(positions: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ v: 1, w: positions })).toString('base64url');
}

/** Decodes a token; undefined for anything that is not one of ours. */
export function decodeToken(text: string): ConsistencyToken | undefined {
  if (text.length > 4096) return undefined;
  try {
    const raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { v?: unknown; s?: unknown; p?: unknown; w?: unknown };
    if (raw.v !== 1) return undefined;
    if (typeof raw.s === 'string' && typeof raw.p === 'string' && isPositionText(raw.p)) {
      const family = familyOfStream(raw.s);
      return family ? { kind: 'stream', streamId: raw.s, family, position: raw.p } : undefined;
    }
    if (raw.w && typeof raw.w === 'object') {
      const positions = Object.fromEntries(Object.entries(raw.w as Record<string, unknown>).filter(([, p]) => typeof p === 'string' && isPositionText(p))) as Record<string, string>;
      return { kind: 'vector', positions };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
