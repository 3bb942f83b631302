import type { IncomingMessage } from 'node:http';

/** Outcome of {@link readBody}. */
export type BodyResult = { ok: true; text: string } | { ok: false; status: 413; reason: 'too_large' } | { ok: false; status: 400; reason: 'aborted' };

/**
 * Reads a request body as UTF-8, refusing more than `maxBytes`: a declared `content-length`
 * above the limit is refused before reading, and a streamed body is cut off as soon as it passes
 * the limit (the rest is never buffered).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve({ ok: false, status: 413, reason: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.resume(); // drain the rest without keeping it
        settle({ ok: false, status: 413, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', () => settle({ ok: false, status: 400, reason: 'aborted' }));
    req.once('aborted', () => settle({ ok: false, status: 400, reason: 'aborted' }));
  });
}

/** True for `application/json` and `application/*+json` content types. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}
