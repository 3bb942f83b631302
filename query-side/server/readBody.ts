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
    discardRest(req);
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
        settle({ ok: false, status: 413, reason: 'too_large' });
        discardRest(req);
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

/** Most bytes of a refused body read and thrown away before its connection is cut. */
export const DISCARD_MAX_BYTES = 16 * 1024 * 1024;
/** Longest a refused body is read and thrown away before its connection is cut. */
export const DISCARD_MAX_MS = 10_000;

/**
 * Reads what is left of a refused body and throws it away, so the refusal reaches the client: a
 * server that closes a connection whose request it has not read makes the kernel answer the
 * client's next segments with a reset, and a client still sending its body then loses the 413 it had
 * not read yet (the bench's 2 MB bodies: about a third came back as dropped connections). The
 * connection stays open for the next request once the body ended; a body larger than
 * {@link DISCARD_MAX_BYTES}, or one still arriving after {@link DISCARD_MAX_MS}, has its socket
 * destroyed (what a lingering close in nginx bounds the same way).
 */
export function discardRest(req: IncomingMessage, maxBytes = DISCARD_MAX_BYTES, maxMs = DISCARD_MAX_MS): void {
  if (req.readableEnded) return;
  let size = 0;
  const cut = () => {
    cleanup();
    req.socket.destroy();
  };
  const timer = setTimeout(cut, maxMs);
  timer.unref();
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) cut();
  };
  const cleanup = () => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  req.on('data', onData);
  req.once('end', cleanup);
  req.once('close', cleanup);
  req.resume();
}

/** True for `application/json` and `application/*+json` content types. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}
